package dev.sluice.health;

import dev.sluice.pool.BreakerState;
import dev.sluice.pool.PoolRole;
import dev.sluice.pool.check.HealthStatus;
import dev.sluice.pool.check.Reading;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Pool samples made up for rule tests, stamped with the current (possibly virtual) time of the parallel scheduler. */
public final class TestSamples {

    private static final AtomicLong IDS = new AtomicLong();

    private TestSamples() {
    }

    /** A builder of one pool sample of pool {@code pool}. */
    public static Pool pool(String pool) {
        return new Pool(pool);
    }

    /** Builds a pool's {@link HealthSample}, with the readings of the built-in pool check; unset values are those of an idle, healthy pool of 100. */
    public static final class Pool {
        private final String name;
        private int active;
        private int pending;
        private int max = 100;
        private HealthStatus status = HealthStatus.HEALTHY;
        private BreakerState breaker = BreakerState.CLOSED;
        private Duration acquireMean = Duration.ZERO;
        private long acquires;
        private double errorRate;
        private long attempts;
        private Instant at;

        private Pool(String name) {
            this.name = name;
        }

        public Pool active(int active) {
            this.active = active;
            return this;
        }

        public Pool utilisation(double share) {
            this.active = (int) Math.round(share * max);
            return this;
        }

        public Pool pending(int pending) {
            this.pending = pending;
            return this;
        }

        public Pool status(HealthStatus status) {
            this.status = status;
            return this;
        }

        public Pool breaker(BreakerState breaker) {
            this.breaker = breaker;
            return this;
        }

        public Pool acquireMean(Duration mean, long acquires) {
            this.acquireMean = mean;
            this.acquires = acquires;
            return this;
        }

        public Pool errorRate(double rate, long attempts) {
            this.errorRate = rate;
            this.attempts = attempts;
            return this;
        }

        public Pool at(Instant at) {
            this.at = at;
            return this;
        }

        public HealthSample build() {
            Instant when = at != null ? at : Instant.ofEpochMilli(Schedulers.parallel().now(TimeUnit.MILLISECONDS));
            Subject subject = Subject.pool(name);
            Map<String, Reading> readings = new LinkedHashMap<>();
            readings.put("pool.connections.allocated", Reading.count(active));
            readings.put("pool.connections.active", Reading.count(active));
            readings.put("pool.connections.idle", Reading.count(0));
            readings.put("pool.connections.pending", Reading.count(pending));
            readings.put("pool.connections.max", Reading.count(max));
            readings.put("pool.utilisation", Reading.ratio(max == 0 ? 0 : (double) active / max));
            readings.put("pool.acquire.p95", Reading.millis(Duration.ZERO));
            readings.put("pool.acquire.mean", Reading.counted(acquireMean.toNanos() / 1_000_000.0, Reading.Unit.MILLISECONDS, acquires));
            readings.put("pool.error.rate", Reading.counted(errorRate, Reading.Unit.RATIO, attempts));
            boolean unhealthy = status == HealthStatus.UNHEALTHY;
            return new HealthSample(IDS.incrementAndGet(), 1, when, subject, Map.of("pool", name, "role", "primary"), status,
                    Duration.ofMillis(unhealthy ? 1000 : 2),
                    unhealthy ? Optional.of("no answer within the check's time limit of 1000 ms") : Optional.empty(), when, readings,
                    Map.of(HealthSample.ROLE, PoolRole.PRIMARY.name(), HealthSample.BREAKER, breaker.name()), unhealthy ? 0 : 1, 1);
        }
    }
}
