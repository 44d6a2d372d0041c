package dev.sluice.health.internal;

import dev.sluice.health.HealthConfig;
import dev.sluice.health.HealthSample;
import dev.sluice.health.Subject;
import dev.sluice.pool.PgPool;
import dev.sluice.pool.PoolStats;
import dev.sluice.pool.check.CheckResult;
import dev.sluice.pool.check.HealthCheck;
import dev.sluice.pool.check.HealthStatus;
import dev.sluice.pool.check.Reading;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The built-in check of a PostgreSQL pool: {@code SELECT 1} through the pool, acquire included, within the check's
 * time limit, with the pool's sizes and window rates as readings. A pool whose connections are all taken makes the
 * check wait in line like any caller, but only up to the limit: then the waiting acquire is cancelled and the result
 * is UNHEALTHY. A pool that is shutting down is UNHEALTHY without a query.
 *
 * <p>The statistics are read as the check begins, before it borrows a connection, so the sizes show the
 * application's use of the pool and not the check's.
 */
public final class PoolHealthCheck implements HealthCheck, SelfTimed {

    private final PgPool pool;
    private final HealthConfig config;
    private final RateWindow<PoolStats> window;
    private final Map<String, String> tags;

    /** The check of {@code pool} with the pool settings of {@code config}. */
    public PoolHealthCheck(PgPool pool, HealthConfig config) {
        this.pool = pool;
        this.config = config;
        this.window = new RateWindow<>(config.rateWindow());
        this.tags = Map.of("pool", pool.name(), "role", pool.role().name().toLowerCase(Locale.ROOT));
    }

    @Override
    public String kind() {
        return Subject.POOL;
    }

    @Override
    public String name() {
        return pool.name();
    }

    @Override
    public Map<String, String> tags() {
        return tags;
    }

    @Override
    public Optional<Duration> timeLimit() {
        return Optional.of(config.poolCheckTimeout());
    }

    @Override
    public Optional<Duration> degradedAfter() {
        return Optional.of(config.poolDegradedAfter());
    }

    @Override
    public Mono<CheckResult> check() {
        return Mono.defer(() -> {
            PoolStats s = pool.stats();
            CheckResult.Builder result = readings(s, window.baselineThenAdd(Instant.ofEpochMilli(config.scheduler().now(TimeUnit.MILLISECONDS)), s));
            if (pool.isClosing()) {
                return Mono.just(result.status(HealthStatus.UNHEALTHY, "pool is shutting down").build());
            }
            return SelfTimed.probe(pool.queryOne("SELECT 1", row -> row.get(0, Integer.class)), config.poolCheckTimeout(), config.scheduler(), result);
        });
    }

    private CheckResult.Builder readings(PoolStats s, PoolStats base) {
        long acquires = Math.max(0, s.acquireCount() - base.acquireCount());
        long errors = Math.max(0, s.errors() - base.errors());
        long attempts = acquires + errors;
        Duration mean = acquires == 0 ? Duration.ZERO : s.acquireTime().minus(base.acquireTime()).dividedBy(acquires);
        return CheckResult.healthy()
                .reading("pool.connections.allocated", Reading.count(s.allocated()))
                .reading("pool.connections.active", Reading.count(s.acquired()))
                .reading("pool.connections.idle", Reading.count(s.idle()))
                .reading("pool.connections.pending", Reading.count(s.pending()))
                .reading("pool.connections.max", Reading.count(s.max()))
                .reading("pool.utilisation", Reading.ratio(utilisation(s)))
                .reading("pool.acquire.p95", Reading.millis(s.acquireLatency().p95()))
                .reading("pool.acquire.mean", Reading.counted(mean.toNanos() / 1_000_000.0, Reading.Unit.MILLISECONDS, acquires))
                .reading("pool.error.rate", Reading.counted(attempts == 0 ? 0 : (double) errors / attempts, Reading.Unit.RATIO, attempts))
                // attempts to open a server connection in the window, and those refused: the acquire rides these out
                .reading("pool.connect.attempts", Reading.count(Math.max(0, s.connectAttempts() - base.connectAttempts())))
                .reading("pool.connect.failures", Reading.count(Math.max(0, s.connectFailures() - base.connectFailures())))
                .detail(HealthSample.ROLE, pool.role().name())
                .detail(HealthSample.BREAKER, s.breakerState().name());
    }

    /**
     * The share of the pool in use; 1 while callers wait, since a connection changing hands between two callers (or
     * being opened for one) is not spare capacity, and counting it as such would make a saturated pool of 6 read 83%
     * every few samples.
     */
    private static double utilisation(PoolStats s) {
        return s.pending() > 0 ? 1.0 : s.utilisation();
    }

    @Override
    public String toString() {
        return "PoolHealthCheck[" + pool.name() + "]";
    }
}
