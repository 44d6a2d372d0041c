package dev.sluice.health.internal;

import dev.sluice.health.BucketSample;
import dev.sluice.health.CheckResult;
import dev.sluice.health.ConnectionSample;
import dev.sluice.health.HealthConfig;
import dev.sluice.health.HealthSample;
import dev.sluice.health.PoolSample;
import dev.sluice.health.Subject;
import dev.sluice.pool.PgPool;
import dev.sluice.pool.PoolRegistry;
import dev.sluice.pool.PoolStats;
import dev.sluice.pool.kv.KvStore;
import dev.sluice.pool.kv.KvStoreStats;
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
 * One sampling round: every check at once, each within its own time limit, then one sample per subject built from
 * the check, the statistics and the subject's history (for rates over the rate window and the check success rate).
 * A pool's statistics are read as the round begins, before its check takes a connection and gives it back, so the
 * sizes show the application's use of the pool and not the check's.
 * Rounds must not overlap; the monitor runs them one after another.
 */
public final class Sampler {

    private final PoolRegistry registry;
    private final HealthConfig config;
    private final LongSupplier ids;
    private final PoolCheck poolCheck;
    private final BucketCheck bucketCheck;
    private final ConnectionCheck connectionCheck;
    private final Map<Subject, SubjectHistory> histories = new ConcurrentHashMap<>();

    private record PoolOutcome(PgPool pool, CheckResult check, PoolStats stats) {
    }

    private record BucketOutcome(String name, KvStore store, BucketCheck.Outcome outcome, KvStoreStats stats) {
    }

    /** A sampler of {@code registry}'s pools and KV stores, numbering samples with {@code ids}. */
    public Sampler(PoolRegistry registry, HealthConfig config, LongSupplier ids) {
        this.registry = registry;
        this.config = config;
        this.ids = ids;
        this.poolCheck = new PoolCheck(new TimedCheck(config.poolCheckTimeout(), config.poolDegradedAfter(), config.scheduler()));
        this.bucketCheck = new BucketCheck(new TimedCheck(config.bucketCheckTimeout(), config.bucketDegradedAfter(), config.scheduler()));
        this.connectionCheck = new ConnectionCheck(new TimedCheck(config.connectionCheckTimeout(), config.connectionDegradedAfter(),
                config.scheduler()));
    }

    /** Cold: runs round {@code round} and emits its samples (pools, buckets, connections); never fails. */
    public Mono<List<HealthSample>> round(long round) {
        return Mono.defer(() -> {
            Instant at = Instant.ofEpochMilli(config.scheduler().now(TimeUnit.MILLISECONDS));
            List<PgPool> pools = registry.pools();
            Mono<List<PoolOutcome>> poolOutcomes = Flux.fromIterable(pools)
                    .flatMapSequential(pool -> {
                        PoolStats before = pool.stats();
                        return poolCheck.run(pool).map(check -> new PoolOutcome(pool, check, before));
                    }, Math.max(1, pools.size()))
                    .collectList();
            Optional<KvStores> kv = kvStores();
            Map<String, KvStore> stores = kv.map(KvStores::stores).orElse(Map.of());
            Mono<List<BucketOutcome>> bucketOutcomes = Flux.fromIterable(stores.entrySet())
                    .flatMapSequential(e -> bucketCheck.run(e.getKey(), e.getValue())
                            .map(outcome -> new BucketOutcome(e.getKey(), e.getValue(), outcome, e.getValue().stats())), Math.max(1, stores.size()))
                    .collectList();
            Mono<List<ConnectionCheck.Outcome>> connectionOutcomes = kv.filter(k -> !k.stores().isEmpty())
                    .map(connectionCheck::run).orElse(Mono.just(List.of()));
            return Mono.zip(poolOutcomes, bucketOutcomes, connectionOutcomes)
                    .map(t -> assemble(round, at, t.getT1(), t.getT2(), t.getT3()));
        });
    }

    /** The samples kept for {@code subject}, oldest first. */
    public List<HealthSample> history(Subject subject) {
        SubjectHistory history = histories.get(subject);
        return history == null ? List.of() : history.snapshot();
    }

    private Optional<KvStores> kvStores() {
        return registry.config().kv().isPresent() ? Optional.of(registry.kv()) : Optional.empty();
    }

    private List<HealthSample> assemble(long round, Instant at, List<PoolOutcome> pools, List<BucketOutcome> buckets,
                                        List<ConnectionCheck.Outcome> connections) {
        List<HealthSample> samples = new ArrayList<>(pools.size() + buckets.size() + connections.size());
        for (PoolOutcome o : pools) {
            samples.add(record(poolSample(round, at, o)));
        }
        for (BucketOutcome o : buckets) {
            samples.add(record(bucketSample(round, at, o)));
        }
        for (ConnectionCheck.Outcome o : connections) {
            samples.add(record(connectionSample(round, at, o)));
        }
        return samples;
    }

    private HealthSample record(HealthSample sample) {
        history(sample.subject(), true).add(sample);
        return sample;
    }

    private SubjectHistory history(Subject subject, boolean create) {
        return create ? histories.computeIfAbsent(subject, s -> new SubjectHistory(config.history(), config.rateWindow())) : histories.get(subject);
    }

    private Optional<HealthSample> baseline(Subject subject, Instant at) {
        return history(subject, true).baseline(at);
    }

    private PoolSample poolSample(long round, Instant at, PoolOutcome o) {
        Subject subject = o.check().subject();
        PoolStats s = o.stats();
        PoolStats base = baseline(subject, at).map(b -> ((PoolSample) b).stats()).orElse(s);
        long acquires = s.acquireCount() - base.acquireCount();
        long errors = s.errors() - base.errors();
        long attempts = acquires + errors;
        Duration mean = acquires <= 0 ? Duration.ZERO : s.acquireTime().minus(base.acquireTime()).dividedBy(acquires);
        SubjectHistory.CheckTally tally = history(subject, true).tallyWith(o.check().answered());
        return new PoolSample(ids.getAsLong(), round, at, subject, o.pool().role(), o.check(),
                s.allocated(), s.acquired(), s.idle(), s.pending(), s.max(), utilisation(s),
                s.acquireP95(), mean, Math.max(0, acquires), s.errors(), attempts <= 0 ? 0 : (double) errors / attempts, Math.max(0, attempts),
                tally.rate(), tally.checks(), s.breakerState(), s);
    }

    /**
     * The share of the pool in use; 1 while callers wait, since a connection changing hands between two callers (or
     * being opened for one) is not spare capacity, and counting it as such would make a saturated pool of 6 read 83%
     * every few samples.
     */
    private static double utilisation(PoolStats s) {
        return s.pending() > 0 ? 1.0 : s.utilisation();
    }

    private BucketSample bucketSample(long round, Instant at, BucketOutcome o) {
        Subject subject = o.outcome().result().subject();
        KvStoreStats s = o.stats();
        KvStoreStats base = baseline(subject, at).map(b -> ((BucketSample) b).stats()).orElse(s);
        long operations = s.totalOperations() - base.totalOperations();
        long errors = s.totalErrors() - base.totalErrors();
        SubjectHistory.CheckTally tally = history(subject, true).tallyWith(o.outcome().result().answered());
        return new BucketSample(ids.getAsLong(), round, at, subject, o.outcome().result(), o.store().bucket(), o.outcome().status(),
                s.totalOperations(), s.totalErrors(), operations <= 0 ? 0 : Math.min(1.0, (double) errors / operations), Math.max(0, operations),
                tally.rate(), tally.checks(), s);
    }

    private ConnectionSample connectionSample(long round, Instant at, ConnectionCheck.Outcome o) {
        Subject subject = o.result().subject();
        SubjectHistory.CheckTally tally = history(subject, true).tallyWith(o.result().answered());
        return new ConnectionSample(ids.getAsLong(), round, at, subject, o.result(), o.stats().status(), Optional.ofNullable(o.stats().server()),
                o.roundTrip(), o.stats().reconnects(), o.stats().operations(), o.stats().inFlight(), tally.rate(), tally.checks());
    }
}
