package dev.sluice.pool.internal;

import dev.sluice.pool.BreakerState;
import dev.sluice.pool.BreakerTransition;
import dev.sluice.pool.CircuitBreakerPolicy;
import dev.sluice.pool.CircuitOpenException;
import dev.sluice.pool.ErrorClass;
import dev.sluice.pool.SqlErrorClassifier;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxOperator;
import reactor.core.publisher.Operators;
import reactor.core.publisher.Sinks;
import reactor.util.context.Context;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;


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

    /**
     * Runs {@code work} through the breaker (untouched when the breaker is disabled). Each subscription asks the
     * breaker for a permission first: refused, it fails at once with {@link CircuitOpenException}; granted, the
     * outcome is recorded when the work ends (a failure counts when {@link #countsAsFailure} says so; a
     * cancellation after a value counts as a success, before any value it returns the permission).
     */
    public <T> Flux<T> protect(Flux<T> work) {
        if (!policy.enabled()) {
            return work;
        }
        return new Protected<>(work, this);
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

    /**
     * The breaker as one operator: the permission asked at subscription, the outcome recorded once at the end,
     * the transition check, and the refusal as {@link CircuitOpenException}. It does what Resilience4j's
     * {@code CircuitBreakerOperator} does for a {@code Flux}, followed by {@code doOnTerminate} and
     * {@code onErrorMap}, with one subscriber per call instead of five operators.
     */
    private static final class Protected<T> extends FluxOperator<T, T> {

        private final PoolBreaker owner;

        Protected(Flux<T> source, PoolBreaker owner) {
            super(source);
            this.owner = owner;
        }

        @Override
        public void subscribe(CoreSubscriber<? super T> actual) {
            if (owner.breaker.tryAcquirePermission()) {
                source.subscribe(new Call<>(actual, owner));
            } else {
                owner.observe();
                Operators.error(actual, new CircuitOpenException(owner.pool, owner.state(), owner.policy.waitInOpenState()));
            }
        }
    }

    /** One permitted call: passes every signal through and records the call's outcome exactly once. */
    private static final class Call<T> implements CoreSubscriber<T>, Subscription {

        private static final AtomicIntegerFieldUpdater<Call> SETTLED = AtomicIntegerFieldUpdater.newUpdater(Call.class, "settled");

        private final CoreSubscriber<? super T> actual;
        private final PoolBreaker owner;
        private final long start;
        private Subscription upstream;
        private volatile boolean emitted;
        private volatile int settled;

        Call(CoreSubscriber<? super T> actual, PoolBreaker owner) {
            this.actual = actual;
            this.owner = owner;
            this.start = owner.breaker.getCurrentTimestamp();
        }

        @Override
        public void onSubscribe(Subscription s) {
            if (Operators.validate(upstream, s)) {
                upstream = s;
                actual.onSubscribe(this);
            }
        }

        @Override
        public void onNext(T value) {
            emitted = true;
            actual.onNext(value);
        }

        @Override
        public void onError(Throwable error) {
            if (settle()) {
                owner.breaker.onError(elapsed(), owner.breaker.getTimestampUnit(), error);
                owner.observe();
            }
            actual.onError(error);
        }

        @Override
        public void onComplete() {
            if (settle()) {
                owner.breaker.onSuccess(elapsed(), owner.breaker.getTimestampUnit());
                owner.observe();
            }
            actual.onComplete();
        }

        @Override
        public void request(long n) {
            upstream.request(n);
        }

        @Override
        public void cancel() {
            if (settle()) {
                if (emitted) {
                    owner.breaker.onSuccess(elapsed(), owner.breaker.getTimestampUnit());
                } else {
                    owner.breaker.releasePermission();
                }
            }
            upstream.cancel();
        }

        @Override
        public Context currentContext() {
            return actual.currentContext();
        }

        private boolean settle() {
            return SETTLED.compareAndSet(this, 0, 1);
        }

        private long elapsed() {
            return owner.breaker.getCurrentTimestamp() - start;
        }
    }
}
