package dev.sluice.health.micrometer;

import dev.sluice.health.AlertEvent;
import dev.sluice.health.BucketSample;
import dev.sluice.health.ConnectionSample;
import dev.sluice.health.HealthMonitor;
import dev.sluice.health.HealthReport;
import dev.sluice.health.HealthSample;
import dev.sluice.health.HealthStatus;
import dev.sluice.health.PoolSample;
import dev.sluice.health.Subject;
import dev.sluice.pool.BreakerState;
import dev.sluice.pool.ErrorClass;
import dev.sluice.pool.PgPool;
import dev.sluice.pool.kv.KvErrorKind;
import dev.sluice.pool.kv.KvOperation;
import dev.sluice.pool.kv.LatencySummary;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import reactor.core.Disposable;
import reactor.core.Disposables;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Publishes a {@link HealthMonitor}'s samples, checks and alerts as Micrometer meters, with dotted names and the tags
 * {@code pool} and {@code role} (pools), {@code bucket} (KV buckets) and {@code connection} (NATS connections). The
 * full list is in the module README.
 *
 * <p>Gauges and function counters read the latest sample of their subject, so they are as fresh as the sampling
 * interval and reading them never touches a pool. A subject's meters are registered when its first sample arrives.
 * Check latencies are recorded in timers with the 50th, 95th and 99th percentiles published; alerts and breaker
 * transitions are counted as they happen.
 *
 * <pre>{@code
 * PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
 * HealthMetrics metrics = new HealthMetrics(monitor);
 * metrics.bindTo(prometheus);
 * ...
 * metrics.close();   // stops recording; the meters stay registered
 * }</pre>
 */
public final class HealthMetrics implements MeterBinder, AutoCloseable {

    private static final double[] PERCENTILES = {0.5, 0.95, 0.99};
    private static final String[] STATUSES = {"healthy", "degraded", "unhealthy"};

    private final HealthMonitor monitor;
    private final Map<Subject, HealthSample> latest = new ConcurrentHashMap<>();
    private final Set<Subject> registered = ConcurrentHashMap.newKeySet();
    private final Disposable.Composite subscriptions = Disposables.composite();
    private volatile HealthReport report;

    /** A binder for {@code monitor}; nothing is registered until {@link #bindTo(MeterRegistry)}. */
    public HealthMetrics(HealthMonitor monitor) {
        this.monitor = monitor;
    }

    /**
     * Registers the monitor-wide meters and subscribes to the monitor's reports, alerts and the pools' breaker
     * transitions; each subject's meters follow with its first sample. Bind one registry per binder.
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("sluice.health.rounds", monitor, HealthMonitor::rounds)
                .description("health sampling rounds run").register(registry);
        Gauge.builder("sluice.health.alerts.active", this, m -> m.report == null ? 0 : m.report.activeAlerts().size())
                .description("alerts firing now").strongReference(true).register(registry);
        Gauge.builder("sluice.health.ready", this, m -> m.report == null ? 0 : m.report.readiness().ready() ? 1 : 0)
                .description("1 when the application is ready, else 0").strongReference(true).register(registry);
        for (String status : STATUSES) {
            Gauge.builder("sluice.health.status", this, m -> m.report != null && label(m.report.status()).equals(status) ? 1 : 0)
                    .tag("status", status).description("1 for the overall status of the latest round, else 0")
                    .strongReference(true).register(registry);
        }
        for (PgPool pool : monitor.registry().pools()) {
            Tags tags = Tags.of("pool", pool.name(), "role", pool.role().name().toLowerCase(Locale.ROOT));
            subscriptions.add(pool.breakerTransitions().subscribe(t -> Counter.builder("sluice.pool.breaker.transitions")
                    .tags(tags).tag("to", label(t.to())).description("circuit-breaker state changes").register(registry).increment()));
        }
        subscriptions.add(monitor.reports().subscribe(r -> record(registry, r)));
        subscriptions.add(monitor.alerts().subscribe(a -> count(registry, a)));
    }

    /** Stops recording: no new subjects, check timings, alerts or transitions. Registered meters stay. */
    @Override
    public void close() {
        subscriptions.dispose();
    }

    private void record(MeterRegistry registry, HealthReport r) {
        report = r;
        for (HealthSample sample : r.samples()) {
            latest.put(sample.subject(), sample);
            if (registered.add(sample.subject())) {
                register(registry, sample);
            }
            checkTimer(registry, sample).record(sample.check().latency());
        }
    }

    private void count(MeterRegistry registry, AlertEvent event) {
        Counter.builder("sluice.health.alerts")
                .tags("rule", event.rule(), "severity", event.severity().name().toLowerCase(Locale.ROOT),
                        "state", event.state().name().toLowerCase(Locale.ROOT))
                .description("alert notifications (firing, re-notified and resolved)")
                .register(registry).increment();
    }

    private Timer checkTimer(MeterRegistry registry, HealthSample sample) {
        String name = switch (sample.subject().kind()) {
            case POOL -> "sluice.pool.check";
            case BUCKET -> "sluice.kv.check";
            case CONNECTION -> "sluice.nats.check";
        };
        return Timer.builder(name).tags(tags(sample)).tag("status", label(sample.status()))
                .description("health check latency by outcome").publishPercentiles(PERCENTILES).register(registry);
    }

    private void register(MeterRegistry registry, HealthSample sample) {
        Subject subject = sample.subject();
        Tags tags = tags(sample);
        String prefix = switch (subject.kind()) {
            case POOL -> "sluice.pool";
            case BUCKET -> "sluice.kv";
            case CONNECTION -> "sluice.nats";
        };
        for (String status : STATUSES) {
            gauge(registry, prefix + ".health", tags.and("status", status), subject, s -> label(s.status()).equals(status) ? 1 : 0,
                    "1 for the subject's status in the latest round, else 0");
        }
        gauge(registry, prefix + ".check.success.rate", tags, subject, HealthSample::checkSuccessRate, "share of recent checks that answered");
        if (sample instanceof PoolSample) {
            registerPool(registry, tags, subject);
        } else if (sample instanceof BucketSample) {
            registerBucket(registry, tags, subject);
        } else {
            registerConnection(registry, tags, subject);
        }
    }

    private void registerPool(MeterRegistry registry, Tags tags, Subject subject) {
        poolGauge(registry, "sluice.pool.connections.allocated", tags, subject, PoolSample::allocated, "connections open");
        poolGauge(registry, "sluice.pool.connections.active", tags, subject, PoolSample::active, "connections in use");
        poolGauge(registry, "sluice.pool.connections.idle", tags, subject, PoolSample::idle, "connections idle");
        poolGauge(registry, "sluice.pool.connections.pending", tags, subject, PoolSample::pending, "callers waiting for a connection");
        poolGauge(registry, "sluice.pool.connections.max", tags, subject, PoolSample::max, "the pool's maximum size");
        poolGauge(registry, "sluice.pool.utilisation", tags, subject, PoolSample::utilisation, "share of the maximum in use");
        poolGauge(registry, "sluice.pool.error.rate", tags, subject, PoolSample::errorRate, "failed share of acquires in the rate window");
        for (BreakerState state : BreakerState.values()) {
            poolGauge(registry, "sluice.pool.breaker.state", tags.and("state", label(state)), subject, p -> p.breakerState() == state ? 1 : 0,
                    "1 for the circuit breaker's state, else 0");
        }
        poolCounter(registry, "sluice.pool.connections.created", tags, subject, p -> p.stats().created(), "connections opened");
        poolCounter(registry, "sluice.pool.connections.reused", tags, subject, p -> p.stats().reused(), "acquires served by an idle connection");
        poolCounter(registry, "sluice.pool.connections.closed", tags, subject, p -> p.stats().closed(), "connections closed");
        poolCounter(registry, "sluice.pool.connections.recycled", tags, subject, p -> p.stats().recycled(), "connections closed after their use limit");
        poolCounter(registry, "sluice.pool.connections.expired", tags, subject, p -> p.stats().expired(), "connections closed at the end of their lifetime");
        poolCounter(registry, "sluice.pool.connections.idle.evicted", tags, subject, p -> p.stats().idleEvicted(), "idle connections closed above the minimum");
        poolCounter(registry, "sluice.pool.validation.failures", tags, subject, p -> p.stats().validationFailures(), "connections that failed validation");
        poolCounter(registry, "sluice.pool.acquire.timeouts", tags, subject, p -> p.stats().acquireTimeouts(), "acquires that timed out");
        poolCounter(registry, "sluice.pool.acquire.rejections", tags, subject, p -> p.stats().acquireRejections(), "acquires refused by maxPendingAcquires");
        poolCounter(registry, "sluice.pool.acquire.errors", tags, subject, p -> p.stats().acquireErrors(), "acquires that failed otherwise");
        poolCounter(registry, "sluice.pool.leaks", tags, subject, p -> p.stats().leaks(), "connections reported as leaked");
        for (ErrorClass kind : ErrorClass.values()) {
            poolCounter(registry, "sluice.pool.retries", tags.and("class", kind.name().toLowerCase(Locale.ROOT)), subject,
                    p -> p.stats().retries().getOrDefault(kind, 0L), "retries by the class of the failure that caused them");
        }
        FunctionTimer.builder("sluice.pool.acquire", this,
                        m -> (long) m.pool(subject, p -> p.stats().acquireCount()),
                        m -> m.pool(subject, p -> p.stats().acquireTime().toNanos()), TimeUnit.NANOSECONDS)
                .tags(tags).description("successful acquires and the time they waited").register(registry);
        for (double phi : PERCENTILES) {
            timeGauge(registry, "sluice.pool.acquire.percentile", tags.and("phi", Double.toString(phi)), subject,
                    s -> s instanceof PoolSample p ? nanos(percentile(p, phi)) : Double.NaN, "acquire wait percentile since the pool started");
        }
        timeGauge(registry, "sluice.pool.acquire.max", tags, subject, s -> s instanceof PoolSample p ? nanos(p.stats().acquireMax()) : Double.NaN,
                "longest acquire wait since the pool started");
    }

    private void registerBucket(MeterRegistry registry, Tags tags, Subject subject) {
        bucketGauge(registry, "sluice.kv.bucket.entries", tags, subject, b -> b.bucketStatus().map(st -> (double) st.entries()).orElse(Double.NaN),
                "messages in the bucket's stream, as of the latest answered check");
        bucketGauge(registry, "sluice.kv.bucket.bytes", tags, subject, b -> b.bucketStatus().map(st -> (double) st.bytes()).orElse(Double.NaN),
                "bytes stored, as of the latest answered check");
        bucketGauge(registry, "sluice.kv.watches", tags, subject, b -> b.stats().watches(), "watches and scans running");
        bucketGauge(registry, "sluice.kv.error.rate", tags, subject, BucketSample::errorRate, "failed share of operations in the rate window");
        bucketCounter(registry, "sluice.kv.cancelled", tags, subject, b -> b.stats().cancelled(), "operations cancelled by their subscriber");
        bucketCounter(registry, "sluice.kv.watch.resets", tags, subject, b -> b.stats().watchResets(), "watch consumers re-created");
        for (KvOperation op : KvOperation.values()) {
            Tags opTags = tags.and("operation", op.name().toLowerCase(Locale.ROOT));
            bucketCounter(registry, "sluice.kv.operations", opTags, subject, b -> b.stats().operations().getOrDefault(op, 0L), "operations started");
            for (double phi : PERCENTILES) {
                timeGauge(registry, "sluice.kv.operation.percentile", opTags.and("phi", Double.toString(phi)), subject,
                        s -> s instanceof BucketSample b ? nanos(latency(b, op, phi)) : Double.NaN, "operation latency percentile since start");
            }
            timeGauge(registry, "sluice.kv.operation.max", opTags, subject,
                    s -> s instanceof BucketSample b ? nanos(b.stats().latencies().getOrDefault(op, LatencySummary.EMPTY).max()) : Double.NaN,
                    "slowest operation since start");
        }
        for (KvErrorKind kind : KvErrorKind.values()) {
            bucketCounter(registry, "sluice.kv.errors", tags.and("kind", kind.name().toLowerCase(Locale.ROOT)), subject,
                    b -> b.stats().errors().getOrDefault(kind, 0L), "failed operations by kind");
        }
    }

    private void registerConnection(MeterRegistry registry, Tags tags, Subject subject) {
        gauge(registry, "sluice.nats.connected", tags, subject, s -> s instanceof ConnectionSample c && "CONNECTED".equals(c.state()) ? 1 : 0,
                "1 while the connection is connected, else 0");
        gauge(registry, "sluice.nats.in.flight", tags, subject, s -> s instanceof ConnectionSample c ? c.inFlight() : Double.NaN,
                "operations sent and not yet answered");
        timeGauge(registry, "sluice.nats.round.trip", tags, subject,
                s -> s instanceof ConnectionSample c ? c.roundTrip().map(HealthMetrics::nanos).orElse(Double.NaN) : Double.NaN,
                "round-trip time measured by the latest check");
        FunctionCounter.builder("sluice.nats.reconnects", this, m -> m.connection(subject, ConnectionSample::reconnects))
                .tags(tags).description("reconnects since the connection was opened").register(registry);
        FunctionCounter.builder("sluice.nats.operations", this, m -> m.connection(subject, ConnectionSample::operations))
                .tags(tags).description("operations sent on the connection").register(registry);
    }

    private static Tags tags(HealthSample sample) {
        if (sample instanceof PoolSample p) {
            return Tags.of("pool", p.subject().name(), "role", p.role().name().toLowerCase(Locale.ROOT));
        }
        return sample instanceof BucketSample ? Tags.of("bucket", sample.subject().name()) : Tags.of("connection", sample.subject().name());
    }

    private void gauge(MeterRegistry registry, String name, Tags tags, Subject subject, ToDoubleFunction<HealthSample> value, String description) {
        Gauge.builder(name, this, m -> {
                    HealthSample s = m.latest.get(subject);
                    return s == null ? Double.NaN : value.applyAsDouble(s);
                })
                .tags(tags).description(description).strongReference(true).register(registry);
    }

    private void poolGauge(MeterRegistry registry, String name, Tags tags, Subject subject, ToDoubleFunction<PoolSample> value, String description) {
        gauge(registry, name, tags, subject, s -> s instanceof PoolSample p ? value.applyAsDouble(p) : Double.NaN, description);
    }

    private void bucketGauge(MeterRegistry registry, String name, Tags tags, Subject subject, ToDoubleFunction<BucketSample> value, String description) {
        gauge(registry, name, tags, subject, s -> s instanceof BucketSample b ? value.applyAsDouble(b) : Double.NaN, description);
    }

    private void timeGauge(MeterRegistry registry, String name, Tags tags, Subject subject, ToDoubleFunction<HealthSample> nanos, String description) {
        TimeGauge.builder(name, this, TimeUnit.NANOSECONDS, m -> {
                    HealthSample s = m.latest.get(subject);
                    return s == null ? Double.NaN : nanos.applyAsDouble(s);
                })
                .tags(tags).description(description).strongReference(true).register(registry);
    }

    private void poolCounter(MeterRegistry registry, String name, Tags tags, Subject subject, ToDoubleFunction<PoolSample> value, String description) {
        FunctionCounter.builder(name, this, m -> m.pool(subject, value)).tags(tags).description(description).register(registry);
    }

    private void bucketCounter(MeterRegistry registry, String name, Tags tags, Subject subject, ToDoubleFunction<BucketSample> value,
                               String description) {
        FunctionCounter.builder(name, this, m -> m.latest.get(subject) instanceof BucketSample b ? value.applyAsDouble(b) : 0)
                .tags(tags).description(description).register(registry);
    }

    private double pool(Subject subject, ToDoubleFunction<PoolSample> value) {
        return latest.get(subject) instanceof PoolSample p ? value.applyAsDouble(p) : 0;
    }

    private double connection(Subject subject, ToDoubleFunction<ConnectionSample> value) {
        return latest.get(subject) instanceof ConnectionSample c ? value.applyAsDouble(c) : 0;
    }

    private static Duration percentile(PoolSample p, double phi) {
        return phi == 0.5 ? p.stats().acquireP50() : phi == 0.95 ? p.stats().acquireP95() : p.stats().acquireP99();
    }

    private static Duration latency(BucketSample b, KvOperation op, double phi) {
        LatencySummary summary = b.stats().latencies().getOrDefault(op, LatencySummary.EMPTY);
        return phi == 0.5 ? summary.p50() : phi == 0.95 ? summary.p95() : summary.p99();
    }

    private static double nanos(Duration duration) {
        return duration.toNanos();
    }

    private static String label(HealthStatus status) {
        return status.name().toLowerCase(Locale.ROOT);
    }

    private static String label(BreakerState state) {
        return state.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return "HealthMetrics[" + monitor + "]";
    }
}
