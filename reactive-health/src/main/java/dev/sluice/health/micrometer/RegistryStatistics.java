package dev.sluice.health.micrometer;

import dev.sluice.health.Subject;
import dev.sluice.pool.BreakerState;
import dev.sluice.pool.ErrorClass;
import dev.sluice.pool.PgPool;
import dev.sluice.pool.PoolRegistry;
import dev.sluice.pool.PoolStats;
import dev.sluice.pool.kv.ConnectionStats;
import dev.sluice.pool.kv.KvErrorKind;
import dev.sluice.pool.kv.KvOperation;
import dev.sluice.pool.kv.KvStore;
import dev.sluice.pool.kv.KvStoreStats;
import dev.sluice.pool.kv.KvStores;
import dev.sluice.pool.LatencySummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The statistics of a registry's pools, KV stores and NATS connections as meters: what {@link PoolStats},
 * {@link KvStoreStats} and {@link ConnectionStats} count beyond a health check's readings (connections opened and
 * closed, retries by class, operations by kind, latency percentiles, breaker state). Snapshots are taken once per
 * round ({@link #refresh()}), so reading a meter never touches a pool.
 */
final class RegistryStatistics {

    private static final double[] PERCENTILES = {0.5, 0.95, 0.99};

    private final PoolRegistry registry;
    private final Map<String, PoolStats> pools = new ConcurrentHashMap<>();
    private final Map<String, KvStoreStats> stores = new ConcurrentHashMap<>();
    private final Map<String, ConnectionStats> connections = new ConcurrentHashMap<>();

    RegistryStatistics(PoolRegistry registry) {
        this.registry = registry;
    }

    /** Takes a snapshot of every pool's, store's and connection's statistics. */
    void refresh() {
        for (PgPool pool : registry.pools()) {
            pools.put(pool.name(), pool.stats());
        }
        if (registry.config().kv().isPresent()) {
            KvStores kv = registry.kv();
            for (Map.Entry<String, KvStore> e : kv.stores().entrySet()) {
                stores.put(e.getKey(), e.getValue().stats());
            }
            for (ConnectionStats c : kv.stats().connections()) {
                connections.put(Integer.toString(c.index()), c);
            }
        }
    }

    /** Registers the statistics meters of {@code subject} when it is a pool, bucket or NATS connection of the registry. */
    void register(MeterRegistry meters, Subject subject, Tags tags) {
        switch (subject.kind()) {
            case Subject.POOL -> registerPool(meters, tags, subject.name());
            case Subject.KV -> registerBucket(meters, tags, subject.name());
            case Subject.NATS -> registerConnection(meters, tags, subject.name());
            default -> { }
        }
    }

    private void registerPool(MeterRegistry meters, Tags tags, String name) {
        for (BreakerState state : BreakerState.values()) {
            Gauge.builder("sluice.pool.breaker.state", this, m -> m.pool(name, p -> p.breakerState() == state ? 1 : 0, Double.NaN))
                    .tags(tags).tag("state", state.name().toLowerCase(Locale.ROOT)).description("1 for the circuit breaker's state, else 0")
                    .strongReference(true).register(meters);
        }
        poolCounter(meters, "sluice.pool.connections.created", tags, name, PoolStats::created, "connections opened");
        poolCounter(meters, "sluice.pool.connections.reused", tags, name, PoolStats::reused, "acquires served by an idle connection");
        poolCounter(meters, "sluice.pool.connections.closed", tags, name, PoolStats::closed, "connections closed");
        poolCounter(meters, "sluice.pool.connections.recycled", tags, name, PoolStats::recycled, "connections closed after their use limit");
        poolCounter(meters, "sluice.pool.connections.expired", tags, name, PoolStats::expired, "connections closed at the end of their lifetime");
        poolCounter(meters, "sluice.pool.connections.idle.evicted", tags, name, PoolStats::idleEvicted, "idle connections closed above the minimum");
        poolCounter(meters, "sluice.pool.validation.failures", tags, name, PoolStats::validationFailures, "connections that failed validation");
        poolCounter(meters, "sluice.pool.acquire.timeouts", tags, name, PoolStats::acquireTimeouts, "acquires that timed out");
        poolCounter(meters, "sluice.pool.acquire.rejections", tags, name, PoolStats::acquireRejections, "acquires refused by maxPendingAcquires");
        poolCounter(meters, "sluice.pool.acquire.errors", tags, name, PoolStats::acquireErrors, "acquires that failed otherwise");
        poolCounter(meters, "sluice.pool.leaks", tags, name, PoolStats::leaks, "connections reported as leaked");
        for (ErrorClass kind : ErrorClass.values()) {
            poolCounter(meters, "sluice.pool.retries", tags.and("class", kind.name().toLowerCase(Locale.ROOT)), name,
                    p -> p.retries().getOrDefault(kind, 0L), "retries by the class of the failure that caused them");
        }
        FunctionTimer.builder("sluice.pool.acquire", this,
                        m -> (long) m.pool(name, PoolStats::acquireCount, 0),
                        m -> m.pool(name, p -> p.acquireTime().toNanos(), 0), TimeUnit.NANOSECONDS)
                .tags(tags).description("successful acquires and the time they waited").register(meters);
        for (double phi : PERCENTILES) {
            timeGauge(meters, "sluice.pool.acquire.percentile", tags.and("phi", Double.toString(phi)),
                    m -> m.pool(name, p -> nanos(phi == 0.5 ? p.acquireLatency().p50() : phi == 0.95 ? p.acquireLatency().p95() : p.acquireLatency().p99()), Double.NaN),
                    "acquire wait percentile since the pool started");
        }
        timeGauge(meters, "sluice.pool.acquire.max", tags, m -> m.pool(name, p -> nanos(p.acquireLatency().max()), Double.NaN),
                "longest acquire wait since the pool started");
    }

    private void registerBucket(MeterRegistry meters, Tags tags, String name) {
        bucketCounter(meters, "sluice.kv.cancelled", tags, name, KvStoreStats::cancelled, "operations cancelled by their subscriber");
        bucketCounter(meters, "sluice.kv.watch.resets", tags, name, KvStoreStats::watchResets, "watch consumers re-created");
        for (KvOperation op : KvOperation.values()) {
            Tags opTags = tags.and("operation", op.name().toLowerCase(Locale.ROOT));
            bucketCounter(meters, "sluice.kv.operations", opTags, name, b -> b.operations().getOrDefault(op, 0L), "operations started");
            for (double phi : PERCENTILES) {
                timeGauge(meters, "sluice.kv.operation.percentile", opTags.and("phi", Double.toString(phi)),
                        m -> m.bucket(name, b -> nanos(latency(b, op, phi)), Double.NaN), "operation latency percentile since start");
            }
            timeGauge(meters, "sluice.kv.operation.max", opTags,
                    m -> m.bucket(name, b -> nanos(b.latencies().getOrDefault(op, LatencySummary.EMPTY).max()), Double.NaN),
                    "slowest operation since start");
        }
        for (KvErrorKind kind : KvErrorKind.values()) {
            bucketCounter(meters, "sluice.kv.errors", tags.and("kind", kind.name().toLowerCase(Locale.ROOT)), name,
                    b -> b.errors().getOrDefault(kind, 0L), "failed operations by kind");
        }
    }

    private void registerConnection(MeterRegistry meters, Tags tags, String name) {
        FunctionCounter.builder("sluice.nats.reconnects", this, m -> m.connection(name, ConnectionStats::reconnects))
                .tags(tags).description("reconnects since the connection was opened").register(meters);
        FunctionCounter.builder("sluice.nats.operations", this, m -> m.connection(name, ConnectionStats::operations))
                .tags(tags).description("operations sent on the connection").register(meters);
    }

    private void poolCounter(MeterRegistry meters, String meter, Tags tags, String name, ToDoubleFunction<PoolStats> value, String description) {
        FunctionCounter.builder(meter, this, m -> m.pool(name, value, 0)).tags(tags).description(description).register(meters);
    }

    private void bucketCounter(MeterRegistry meters, String meter, Tags tags, String name, ToDoubleFunction<KvStoreStats> value, String description) {
        FunctionCounter.builder(meter, this, m -> m.bucket(name, value, 0)).tags(tags).description(description).register(meters);
    }

    private void timeGauge(MeterRegistry meters, String meter, Tags tags, ToDoubleFunction<RegistryStatistics> nanos, String description) {
        TimeGauge.builder(meter, this, TimeUnit.NANOSECONDS, nanos).tags(tags).description(description).strongReference(true).register(meters);
    }

    private double pool(String name, ToDoubleFunction<PoolStats> value, double absent) {
        PoolStats s = pools.get(name);
        return s == null ? absent : value.applyAsDouble(s);
    }

    private double bucket(String name, ToDoubleFunction<KvStoreStats> value, double absent) {
        KvStoreStats s = stores.get(name);
        return s == null ? absent : value.applyAsDouble(s);
    }

    private double connection(String name, ToDoubleFunction<ConnectionStats> value) {
        ConnectionStats s = connections.get(name);
        return s == null ? 0 : value.applyAsDouble(s);
    }

    private static Duration latency(KvStoreStats b, KvOperation op, double phi) {
        LatencySummary summary = b.latencies().getOrDefault(op, LatencySummary.EMPTY);
        return phi == 0.5 ? summary.p50() : phi == 0.95 ? summary.p95() : summary.p99();
    }

    private static double nanos(Duration duration) {
        return duration.toNanos();
    }
}
