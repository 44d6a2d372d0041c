package dev.sluice.health.internal;

import dev.sluice.health.HealthConfig;
import dev.sluice.health.HealthSample;
import dev.sluice.health.Subject;
import dev.sluice.pool.PgPool;
import dev.sluice.pool.PoolRegistry;
import dev.sluice.pool.check.CheckResult;
import dev.sluice.pool.check.HealthCheck;
import dev.sluice.pool.check.HealthStatus;
import dev.sluice.pool.kv.ConnectionStats;
import dev.sluice.pool.kv.KvStore;
import dev.sluice.pool.kv.KvStores;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One sampling round: every check at once (the registry's pools, buckets and NATS connections, then the configured
 * checks), each within its own time limit, then one sample per check built from its result, its latency and its
 * history (for the check success rate). A check that fails, completes empty or runs out of time is UNHEALTHY; a
 * HEALTHY answer slower than the check's {@code degradedAfter} is DEGRADED. Rounds must not overlap; the monitor
 * runs them one after another.
 */
public final class Sampler {

    private final PoolRegistry registry;
    private final HealthConfig config;
    private final LongSupplier ids;
    private final Map<String, PoolHealthCheck> poolChecks = new ConcurrentHashMap<>();
    private final Map<String, BucketHealthCheck> bucketChecks = new ConcurrentHashMap<>();
    private final Map<Integer, ConnectionHealthCheck> connectionChecks = new ConcurrentHashMap<>();
    private final Map<Subject, SubjectHistory> histories = new ConcurrentHashMap<>();
    private volatile Mono<List<Duration>> roundTrips = Mono.just(List.of());

    /** A sampler of {@code registry} and the checks of {@code config}, taking sample ids from {@code ids}. */
    public Sampler(PoolRegistry registry, HealthConfig config, LongSupplier ids) {
        this.registry = registry;
        this.config = config;
        this.ids = ids;
    }

    /** Cold: runs round {@code round} and emits its samples, in the order of {@link #checks()}; never fails. */
    public Mono<List<HealthSample>> round(long round) {
        return Mono.defer(() -> {
            Instant at = now();
            List<HealthCheck> checks = checks();
            return Flux.fromIterable(checks)
                    .flatMapSequential(check -> run(check).map(outcome -> sample(round, at, check, outcome)), Math.max(1, checks.size()))
                    .collectList();
        });
    }

    /** The checks of this round: one per pool, bucket and NATS connection of the registry, then the configured ones. */
    public List<HealthCheck> checks() {
        List<HealthCheck> checks = new ArrayList<>();
        for (PgPool pool : registry.pools()) {
            checks.add(poolChecks.computeIfAbsent(pool.name(), name -> new PoolHealthCheck(pool, config)));
        }
        Optional<KvStores> kv = registry.config().kv().isPresent() ? Optional.of(registry.kv()) : Optional.empty();
        Map<String, KvStore> stores = kv.map(KvStores::stores).orElse(Map.of());
        for (Map.Entry<String, KvStore> e : stores.entrySet()) {
            checks.add(bucketChecks.computeIfAbsent(e.getKey(), name -> new BucketHealthCheck(name, e.getValue(), config)));
        }
        if (kv.isPresent() && !stores.isEmpty()) {
            KvStores k = kv.get();
            roundTrips = k.measureRoundTrips().cache();
            for (ConnectionStats c : k.stats().connections()) {
                checks.add(connectionChecks.computeIfAbsent(c.index(), index -> new ConnectionHealthCheck(index, k, () -> roundTrips, config)));
            }
        }
        checks.addAll(config.checks());
        return checks;
    }

    /** The samples kept for {@code subject}, oldest first. */
    public List<HealthSample> history(Subject subject) {
        SubjectHistory history = histories.get(subject);
        return history == null ? List.of() : history.snapshot();
    }

    private record Outcome(CheckResult result, Duration latency, Instant at) {
    }

    private Mono<Outcome> run(HealthCheck check) {
        Duration limit = config.timeLimitOf(check);
        return Mono.defer(() -> {
            long start = System.nanoTime();
            Mono<CheckResult> result = Mono.defer(check::check);
            if (!(check instanceof SelfTimed)) {
                result = result.timeout(limit, config.scheduler());
            }
            return result
                    .switchIfEmpty(Mono.error(() -> new IllegalStateException("the check completed without a result")))
                    .map(r -> new Outcome(degradeIfSlow(check, r, elapsed(start)), elapsed(start), now()))
                    .onErrorResume(error -> Mono.just(new Outcome(CheckResult.unhealthy(SelfTimed.reason(error, limit)).build(),
                            elapsed(start), now())));
        });
    }

    private static CheckResult degradeIfSlow(HealthCheck check, CheckResult result, Duration latency) {
        Optional<Duration> threshold = check.degradedAfter();
        if (result.status() == HealthStatus.HEALTHY && threshold.isPresent() && latency.compareTo(threshold.get()) > 0) {
            return result.toBuilder().status(HealthStatus.DEGRADED, null).build();
        }
        return result;
    }

    private HealthSample sample(long round, Instant at, HealthCheck check, Outcome o) {
        Subject subject = new Subject(check.kind(), check.name());
        SubjectHistory history = histories.computeIfAbsent(subject, s -> new SubjectHistory(config.history()));
        CheckResult r = o.result();
        SubjectHistory.CheckTally tally = history.tallyWith(r.status() != HealthStatus.UNHEALTHY);
        HealthSample sample = new HealthSample(ids.getAsLong(), round, at, subject, check.tags(), r.status(), o.latency(), r.error(), o.at(),
                r.readings(), r.details(), tally.rate(), tally.checks());
        history.add(sample);
        return sample;
    }

    private static Duration elapsed(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private Instant now() {
        return Instant.ofEpochMilli(config.scheduler().now(TimeUnit.MILLISECONDS));
    }
}
