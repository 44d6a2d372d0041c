package dev.sluice.health.micrometer;

import dev.sluice.health.AlertEvent;
import dev.sluice.health.HealthMonitor;
import dev.sluice.health.HealthReport;
import dev.sluice.health.HealthSample;
import dev.sluice.health.Subject;
import dev.sluice.pool.PgPool;
import dev.sluice.pool.PoolRegistry;
import dev.sluice.pool.check.HealthStatus;
import dev.sluice.pool.check.Reading;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import reactor.core.Disposable;
import reactor.core.Disposables;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Publishes a {@link HealthMonitor}'s samples, checks and alerts as Micrometer meters. The full list is in the module
 * README.
 *
 * <p>Every check, built-in or not, gets the same meters, named after its kind and tagged with its
 * {@link dev.sluice.pool.check.HealthCheck#tags()}: {@code sluice.<kind>.health} (1 for its status), the timer
 * {@code sluice.<kind>.check} (latency by outcome, with the 50th, 95th and 99th percentiles) and
 * {@code sluice.<kind>.check.success.rate}; and every reading {@code r} it reports becomes a gauge named
 * {@code sluice.<r>} (a time gauge for millisecond readings), registered when the reading first appears and NaN in a
 * round that does not measure it. The registry's pools, KV stores and NATS connections also publish their statistics
 * (counters of connections, acquires, retries, operations, latency percentiles, breaker state) read once per round.
 *
 * <p>Gauges and function counters read the latest round, so they are as fresh as the interval and reading them never
 * touches a pool. Alerts and breaker transitions are counted as they happen.
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

    private record ReadingKey(Subject subject, String reading) {
    }

    private final HealthMonitor monitor;
    private final RegistryStatistics statistics;
    private final Map<Subject, HealthSample> latest = new ConcurrentHashMap<>();
    private final Set<Subject> registered = ConcurrentHashMap.newKeySet();
    private final Set<ReadingKey> readings = ConcurrentHashMap.newKeySet();
    private final Disposable.Composite subscriptions = Disposables.composite();
    private volatile HealthReport report;

    /** A binder for {@code monitor}; nothing is registered until {@link #bindTo(MeterRegistry)}. */
    public HealthMetrics(HealthMonitor monitor) {
        this.monitor = monitor;
        this.statistics = new RegistryStatistics(monitor.registry());
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
        PoolRegistry pools = monitor.registry();
        for (PgPool pool : pools.pools()) {
            Tags tags = Tags.of("pool", pool.name(), "role", pool.role().name().toLowerCase(Locale.ROOT));
            subscriptions.add(pool.breakerTransitions().subscribe(t -> Counter.builder("sluice.pool.breaker.transitions")
                    .tags(tags).tag("to", t.to().name().toLowerCase(Locale.ROOT)).description("circuit-breaker state changes")
                    .register(registry).increment()));
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
        statistics.refresh();
        report = r;
        for (HealthSample sample : r.samples()) {
            latest.put(sample.subject(), sample);
            Tags tags = tags(sample);
            if (registered.add(sample.subject())) {
                register(registry, sample.subject(), tags);
                statistics.register(registry, sample.subject(), tags);
            }
            for (Map.Entry<String, Reading> e : sample.readings().entrySet()) {
                if (readings.add(new ReadingKey(sample.subject(), e.getKey()))) {
                    registerReading(registry, sample.subject(), e.getKey(), e.getValue().unit(), tags);
                }
            }
            Timer.builder("sluice." + sample.kind() + ".check").tags(tags).tag("status", label(sample.status()))
                    .description("health check latency by outcome").publishPercentiles(PERCENTILES).register(registry)
                    .record(sample.latency());
        }
    }

    private void count(MeterRegistry registry, AlertEvent event) {
        Counter.builder("sluice.health.alerts")
                .tags("rule", event.rule(), "severity", event.severity().name().toLowerCase(Locale.ROOT),
                        "state", event.state().name().toLowerCase(Locale.ROOT))
                .description("alert notifications (firing, re-notified and resolved)")
                .register(registry).increment();
    }

    private void register(MeterRegistry registry, Subject subject, Tags tags) {
        String prefix = "sluice." + subject.kind();
        for (String status : STATUSES) {
            gauge(registry, prefix + ".health", tags.and("status", status), subject, s -> label(s.status()).equals(status) ? 1 : 0,
                    "1 for the subject's status in the latest round, else 0");
        }
        gauge(registry, prefix + ".check.success.rate", tags, subject, HealthSample::checkSuccessRate, "share of recent checks that answered");
    }

    private void registerReading(MeterRegistry registry, Subject subject, String reading, Reading.Unit unit, Tags tags) {
        String name = "sluice." + reading;
        String description = "the reading " + reading + " of the latest check";
        if (unit == Reading.Unit.MILLISECONDS) {
            TimeGauge.builder(name, this, TimeUnit.MILLISECONDS, m -> m.value(subject, reading))
                    .tags(tags).description(description).strongReference(true).register(registry);
        } else {
            gauge(registry, name, tags, subject, s -> s.value(reading), description);
        }
    }

    private double value(Subject subject, String reading) {
        HealthSample s = latest.get(subject);
        return s == null ? Double.NaN : s.value(reading);
    }

    private void gauge(MeterRegistry registry, String name, Tags tags, Subject subject, ToDoubleFunction<HealthSample> value, String description) {
        Gauge.builder(name, this, m -> {
                    HealthSample s = m.latest.get(subject);
                    return s == null ? Double.NaN : value.applyAsDouble(s);
                })
                .tags(tags).description(description).strongReference(true).register(registry);
    }

    private static Tags tags(HealthSample sample) {
        Tags tags = Tags.empty();
        for (Map.Entry<String, String> e : sample.tags().entrySet()) {
            tags = tags.and(e.getKey(), e.getValue());
        }
        return tags;
    }

    private static String label(HealthStatus status) {
        return status.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return "HealthMetrics[" + monitor + "]";
    }
}
