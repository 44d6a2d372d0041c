package dev.sluice.pool.internal;

import dev.sluice.pool.BreakerState;
import dev.sluice.pool.BreakerTransition;
import dev.sluice.pool.CircuitBreakerPolicy;
import dev.sluice.pool.CircuitOpenException;
import dev.sluice.pool.ErrorClass;
import dev.sluice.pool.SqlErrorClassifier;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;


/**
 * A pool's Resilience4j circuit breaker: counts connection failures and timeouts, refuses calls at once
 * while open, and publishes its transitions.
 */
public final class PoolBreaker {

    private final String pool;
    private final CircuitBreakerPolicy policy;
    private final CircuitBreaker breaker;
    private final Sinks.Many<BreakerTransition> transitions = Sinks.many().multicast().directBestEffort();

    public PoolBreaker(String pool, CircuitBreakerPolicy policy) {
        this.pool = pool;
        this.policy = policy;
        this.breaker = CircuitBreaker.of("sluice-" + pool, CircuitBreakerConfig.custom()
                .failureRateThreshold(policy.failureRatePercent())
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(policy.slidingWindowSize())
                .minimumNumberOfCalls(policy.minimumCalls())
                .waitDurationInOpenState(policy.waitInOpenState())
                .permittedNumberOfCallsInHalfOpenState(policy.halfOpenCalls())
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .recordException(PoolBreaker::countsAsFailure)
                .build());
        this.last = new java.util.concurrent.atomic.AtomicReference<>(state());
        // Transitions are found by comparing states, not through Resilience4j's event publisher: any listener
        // there makes it build an event object (with a clock read) for every single call.
        this.watcher = policy.enabled()
                ? reactor.core.publisher.Flux.interval(WATCH_INTERVAL, WATCH_INTERVAL, reactor.core.scheduler.Schedulers.parallel())
                        .subscribe(tick -> observe())
                : reactor.core.Disposables.disposed();
    }

    private static final java.time.Duration WATCH_INTERVAL = java.time.Duration.ofMillis(100);
    private final java.util.concurrent.atomic.AtomicReference<BreakerState> last;
    private final reactor.core.Disposable watcher;

    /** Publishes a transition when the state differs from the last one seen. Cheap: one volatile read. */
    private void observe() {
        BreakerState now = state();
        BreakerState before = last.get();
        if (now != before && last.compareAndSet(before, now)) {
            transitions.tryEmitNext(new BreakerTransition(pool, before, now, java.time.Instant.now()));
        }
    }

    /** Stops watching for transitions. */
    public void close() {
        watcher.dispose();
        transitions.tryEmitComplete();
    }

    /** Whether an error says the database is unreachable or too slow. */
    public static boolean countsAsFailure(Throwable error) {
        ErrorClass kind = SqlErrorClassifier.classify(error);
        return kind == ErrorClass.CONNECTION || kind == ErrorClass.TIMEOUT;
    }

    /** Runs {@code work} through the breaker (untouched when the breaker is disabled). */
    public <T> Flux<T> protect(Flux<T> work) {
        if (!policy.enabled()) {
            return work;
        }
        return work.transformDeferred(CircuitBreakerOperator.of(breaker))
                .doOnTerminate(this::observe)
                .onErrorMap(CallNotPermittedException.class, e -> new CircuitOpenException(pool, state(), policy.waitInOpenState()));
    }

    /** The current state. */
    public BreakerState state() {
        return policy.enabled() ? state(breaker.getState()) : BreakerState.DISABLED;
    }

    /**
     * Transitions as they are seen (hot; late subscribers see only later ones): at the end of every call and
     * at least every 100 ms, so a change that is undone within that time may go unreported.
     */
    public Flux<BreakerTransition> transitions() {
        return transitions.asFlux();
    }

    private static BreakerState state(CircuitBreaker.State state) {
        return switch (state) {
            case CLOSED -> BreakerState.CLOSED;
            case HALF_OPEN -> BreakerState.HALF_OPEN;
            case DISABLED, METRICS_ONLY -> BreakerState.DISABLED;
            default -> BreakerState.OPEN;
        };
    }

}
