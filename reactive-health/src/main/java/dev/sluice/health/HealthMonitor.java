package dev.sluice.health;

import dev.sluice.health.internal.ReadinessRule;
import dev.sluice.health.internal.Sampler;
import dev.sluice.health.internal.TrendFit;
import dev.sluice.pool.Lifecycle;
import dev.sluice.pool.loop.TimedLoop;
import dev.sluice.pool.PoolRegistry;
import dev.sluice.pool.check.HealthStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.BufferOverflowStrategy;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Watches a {@link PoolRegistry}: every {@link HealthConfig#interval()} it checks each pool, KV bucket and NATS
 * connection, and runs every {@link dev.sluice.pool.check.HealthCheck} of {@link HealthConfig#checks()} (each check
 * within its own time limit), publishes one {@link HealthSample} per subject, evaluates the {@link AlertRules} on them
 * and delivers the resulting {@link AlertEvent}s to the {@link AlertSink}s.
 *
 * <pre>{@code
 * HealthMonitor health = HealthMonitor.create(registry, HealthConfig.builder().interval(Duration.ofSeconds(5)).build());
 * health.start().block();                        // returns after the first round
 * health.samples().subscribe(dashboard::show);   // hot: the latest round at once, then every round
 * health.alerts().subscribe(pager::notify);      // hot: FIRING and RESOLVED events
 * health.report().map(HealthReport::readiness);  // the latest round, for probes
 * health.close();
 * }</pre>
 *
 * <p>There is one sampler per monitor, however many subscribe: subscribing never runs a check. Rounds never overlap:
 * a round lasts at most the longest check time limit, which the configuration keeps within one interval. The monitor
 * does not own the registry: closing it leaves the pools open.
 */
public final class HealthMonitor implements Lifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);
    private static final int SUBSCRIBER_BUFFER = 256;

    private final PoolRegistry registry;
    private final HealthConfig config;
    private final AtomicLong ids = new AtomicLong();
    private final Sampler sampler;
    private final AlertEvaluator alertState;
    private final ReadinessRule readiness;
    private final Sinks.Many<HealthReport> reports = Sinks.many().replay().latest();
    private final Sinks.Many<AlertEvent> alerts = Sinks.many().multicast().directBestEffort();
    private final Sinks.Empty<Void> terminated = Sinks.empty();
    private final AtomicReference<HealthReport> latest = new AtomicReference<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Disposable.Swap sampling = Disposables.swap();
    private final AtomicLong rounds = new AtomicLong();

    private HealthMonitor(PoolRegistry registry, HealthConfig config) {
        this.registry = registry;
        this.config = config;
        this.sampler = new Sampler(registry, config, ids::incrementAndGet);
        this.alertState = config.rules().evaluator(ids::incrementAndGet);
        this.readiness = new ReadinessRule(config.readinessRoles(), config.outsideReadiness());
    }

    /** A monitor of {@code registry}; nothing runs until {@link #start()}. */
    public static HealthMonitor create(PoolRegistry registry, HealthConfig config) {
        return new HealthMonitor(registry, config);
    }

    /** A monitor of {@code registry} with {@link HealthConfig#defaults()}. */
    public static HealthMonitor create(PoolRegistry registry) {
        return create(registry, HealthConfig.defaults());
    }

    /** The registry watched. */
    public PoolRegistry registry() {
        return registry;
    }

    /** The configuration. */
    public HealthConfig config() {
        return config;
    }

    /**
     * Starts sampling: the first round at once, then one every interval, until {@link #close()}. Start the registry
     * first (or at the same time): a KV bucket is sampled from the first round after its stores have started.
     *
     * <p>Cold and idempotent: the first subscription starts the sampler, every subscription completes when the first
     * round has been published (at once when it has). Cancelling does not stop the sampler.
     *
     * @return completes after the first round; fails with {@link IllegalStateException} when the monitor is closed
     */
    @Override
    public Mono<Void> start() {
        return Mono.defer(() -> {
            if (closed.get()) {
                return Mono.error(new IllegalStateException("this health monitor is closed"));
            }
            if (started.compareAndSet(false, true)) {
                launch();
            }
            return reports.asFlux().next().then();
        });
    }

    private void launch() {
        for (AlertSink sink : config.sinks()) {
            alerts().publishOn(Schedulers.boundedElastic()).subscribe(event -> deliver(sink, event));
        }
        sampling.update(TimedLoop.every(config.interval(), "health sampling round", LOG).on(config.scheduler())
                .start(() -> sampler.round(rounds.incrementAndGet()).map(this::publish)));
    }

    private HealthReport publish(List<HealthSample> samples) {
        List<AlertEvent> raised = new ArrayList<>();
        for (HealthSample sample : samples) {
            raised.addAll(alertState.accept(sample));
        }
        HealthStatus status = HealthStatus.HEALTHY;
        for (HealthSample sample : samples) {
            status = status.worse(sample.status());
        }
        Instant at = samples.isEmpty() ? Instant.ofEpochMilli(config.scheduler().now(TimeUnit.MILLISECONDS)) : samples.get(0).at();
        HealthReport report = new HealthReport(rounds.get(), at, status, readiness.judge(samples), samples, alertState.active());
        latest.set(report);
        reports.emitNext(report, Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
        for (AlertEvent event : raised) {
            alerts.emitNext(event, Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
        }
        return report;
    }

    private static void deliver(AlertSink sink, AlertEvent event) {
        try {
            sink.accept(event);
        } catch (RuntimeException e) {
            LOG.warn("alert sink {} failed on {}; it keeps receiving later events", sink, event.key(), e);
        }
    }

    /**
     * The samples, one per pool, bucket, NATS connection and configured check per round, in that order within a round.
     *
     * <p>Hot and shared: one sampler serves every subscriber. A subscriber first receives the latest round's samples
     * at once (when there is one), then each new round's. A subscriber that falls more than 256 rounds behind loses
     * the oldest rounds it has not taken. Completes when the monitor closes; cancelling ends only that subscriber's
     * view. Emits on the thread that completed the round's last check.
     */
    public Flux<HealthSample> samples() {
        return reports().concatMapIterable(HealthReport::samples);
    }

    /**
     * The reports of every round: the samples together with overall status, readiness and active alerts. Hot and
     * shared like {@link #samples()}, replaying the latest report to a new subscriber.
     */
    public Flux<HealthReport> reports() {
        return reports.asFlux().onBackpressureBuffer(SUBSCRIBER_BUFFER, dropped -> { }, BufferOverflowStrategy.DROP_OLDEST);
    }

    /**
     * FIRING and RESOLVED events as the rules raise them.
     *
     * <p>Hot: a subscriber sees only events raised after it subscribed (the alerts firing now are in
     * {@link #activeAlerts()}). A subscriber more than 256 events behind loses the oldest. Completes when the monitor
     * closes; cancelling ends only that subscriber's view.
     */
    public Flux<AlertEvent> alerts() {
        return alerts.asFlux().onBackpressureBuffer(SUBSCRIBER_BUFFER, dropped -> { }, BufferOverflowStrategy.DROP_OLDEST);
    }

    /** The latest round's report; empty before the first round. */
    public Optional<HealthReport> report() {
        return Optional.ofNullable(latest.get());
    }

    /** The alerts firing after the latest round. */
    public List<AlertEvent> activeAlerts() {
        HealthReport report = latest.get();
        return report == null ? List.of() : report.activeAlerts();
    }

    /** The last {@link HealthConfig#history()} samples of {@code subject}, oldest first (empty when never sampled). */
    public List<HealthSample> history(Subject subject) {
        return sampler.history(subject);
    }

    /**
     * The utilisation trend of the pool named {@code pool} over its history; empty with fewer than two samples.
     *
     * @throws IllegalArgumentException when the registry has no such pool
     */
    public Optional<Trend> trend(String pool) {
        registry.pool(pool);
        Subject subject = Subject.pool(pool);
        return TrendFit.of(subject, history(subject));
    }

    /** Rounds run so far. */
    public long rounds() {
        return rounds.get();
    }

    /** Completes when the monitor has closed. Hot. */
    public Mono<Void> terminated() {
        return terminated.asMono();
    }

    /**
     * Stops sampling and completes {@link #samples()}, {@link #reports()} and {@link #alerts()}; a round under way is
     * cancelled, and the sinks receive the events raised before. Cold, idempotent; completes at once. The registry
     * stays open.
     */
    @Override
    public Mono<Void> stop() {
        return Mono.fromRunnable(this::close);
    }

    /** {@link #stop()} for blocking callers; returns at once. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            sampling.dispose();
            reports.tryEmitComplete();
            alerts.tryEmitComplete();
            terminated.tryEmitEmpty();
        }
    }

    @Override
    public String toString() {
        return "HealthMonitor[" + registry + ", " + config + "]";
    }
}
