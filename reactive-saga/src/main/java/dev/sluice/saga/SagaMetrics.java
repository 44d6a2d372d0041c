package dev.sluice.saga;

import dev.sluice.pool.loop.TimedLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import reactor.core.Disposable;
import reactor.core.Disposables;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Micrometer meters for an executor's sagas, fed by {@link SagaExecutor#events()}:
 * <ul>
 *   <li>{@code sluice.saga.outcomes} (counter; tags {@code saga}, {@code outcome}: completed, rolled_back,
 *       compensation_failed)</li>
 *   <li>{@code sluice.saga.duration} (timer with percentiles; tags {@code saga}, {@code outcome}): from start
 *       (or recovery) to the terminal state</li>
 *   <li>{@code sluice.saga.steps} (timer; tags {@code saga}, {@code step}, {@code result}: completed, failed):
 *       time since the saga's previous event, which is the step's run time for steps run one after another</li>
 *   <li>{@code sluice.saga.compensations} (timer; tags {@code saga}, {@code step}, {@code result}: compensated,
 *       failed), measured the same way</li>
 *   <li>{@code sluice.saga.recoveries} (counter; tag {@code saga})</li>
 *   <li>{@code sluice.saga.intervention.queue} (gauge): unresolved entries of the manual-intervention queue,
 *       refreshed every {@code queueRefresh}</li>
 * </ul>
 * Step retries are counted by the pool's retry counters ({@code PoolStats.retries()}) for SQL steps; the
 * saga events carry no per-attempt signal.
 */
public final class SagaMetrics {

    private static final Logger LOG = LoggerFactory.getLogger(SagaMetrics.class);

    private SagaMetrics() {
    }

    /**
     * Starts recording. Hot: only events after this call are counted.
     *
     * @return stops recording when disposed (meters stay registered)
     */
    public static Disposable bind(SagaExecutor executor, MeterRegistry registry, Duration queueRefresh) {
        Map<UUID, Instant> started = new ConcurrentHashMap<>();
        Map<UUID, Instant> lastEvent = new ConcurrentHashMap<>();
        AtomicLong queueSize = new AtomicLong();
        registry.gauge("sluice.saga.intervention.queue", queueSize);
        Disposable events = executor.events().subscribe(event -> {
            Instant previous = lastEvent.put(event.sagaId(), event.at());
            String saga = event.sagaName();
            switch (event.type()) {
                case STARTED, RECOVERED -> {
                    started.putIfAbsent(event.sagaId(), event.at());
                    if (event.type() == SagaEvent.Type.RECOVERED) {
                        Counter.builder("sluice.saga.recoveries").tag("saga", saga).register(registry).increment();
                    }
                }
                case STEP_COMPLETED, STEP_FAILED -> step(registry, "sluice.saga.steps", event,
                        event.type() == SagaEvent.Type.STEP_COMPLETED ? "completed" : "failed", previous);
                case STEP_COMPENSATED, COMPENSATION_STEP_FAILED -> step(registry, "sluice.saga.compensations", event,
                        event.type() == SagaEvent.Type.STEP_COMPENSATED ? "compensated" : "failed", previous);
                case COMPLETED, ROLLED_BACK, COMPENSATION_FAILED -> {
                    String outcome = event.type().name().toLowerCase(java.util.Locale.ROOT);
                    Counter.builder("sluice.saga.outcomes").tag("saga", saga).tag("outcome", outcome).register(registry).increment();
                    Instant start = started.remove(event.sagaId());
                    lastEvent.remove(event.sagaId());
                    if (start != null) {
                        Timer.builder("sluice.saga.duration").tag("saga", saga).tag("outcome", outcome)
                                .publishPercentiles(0.5, 0.95, 0.99).register(registry)
                                .record(Duration.between(start, event.at()));
                    }
                }
                case LEASE_LOST -> {
                    started.remove(event.sagaId());
                    lastEvent.remove(event.sagaId());
                }
                default -> {
                }
            }
        });
        Disposable queue = TimedLoop.every(queueRefresh, "count of the manual-intervention queue", LOG)
                .start(() -> executor.queue().list().count().doOnNext(queueSize::set));
        return Disposables.composite(events, queue);
    }

    private static void step(MeterRegistry registry, String name, SagaEvent event, String result, Instant previous) {
        Timer timer = Timer.builder(name).tag("saga", event.sagaName()).tag("step", event.stepId().orElse("?")).tag("result", result)
                .register(registry);
        if (previous != null) {
            timer.record(Duration.between(previous, event.at()));
        }
    }
}
