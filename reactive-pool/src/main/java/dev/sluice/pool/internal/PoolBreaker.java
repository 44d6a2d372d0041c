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
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxOperator;
import reactor.core.publisher.Operators;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.Context;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * A pool's circuit breaker: counts connection failures and timeouts over a time window, refuses calls at once
 * while open, and publishes its transitions.
 *
 * <p>Resilience4j holds the state and its timing: the permission asked by every call, the refusal while open,
 * the move to half open after the wait, and the number of probes let through while half open. The decision to
 * open is this class's ({@link FailureWindow}), because the policy asks for something Resilience4j's windows do
 * not measure: how long the failures span, which tells a restart's burst of failed statements from an outage.
 * So Resilience4j is never told about outcomes; the breaker moves it with {@code transitionToOpenState()} and,
 * when a probe succeeds, {@code transitionToClosedState()}.
 */
public final class PoolBreaker {

    private static final Duration WATCH_INTERVAL = Duration.ofMillis(100);

    private final String pool;
    private final CircuitBreakerPolicy policy;
    private final CircuitBreaker breaker;
    private final FailureWindow window;
    private final Sinks.Many<BreakerTransition> transitions = Sinks.many().multicast().directBestEffort();
    private final AtomicReference<BreakerState> last;
    private final Disposable watcher;

    public PoolBreaker(String pool, CircuitBreakerPolicy policy) {
        this(pool, policy, System::nanoTime);
    }

    /** With the time source the failure window reads (the open state's wait is always real time). */
    PoolBreaker(String pool, CircuitBreakerPolicy policy, LongSupplier nanoTime) {
        this.pool = pool;
        this.policy = policy;
        this.window = new FailureWindow(policy, nanoTime);
        this.breaker = CircuitBreaker.of("sluice-" + pool, CircuitBreakerConfig.custom()
                .waitDurationInOpenState(policy.waitInOpenState())
                .permittedNumberOfCallsInHalfOpenState(policy.halfOpenCalls())
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .writableStackTraceEnabled(false)
                .build());
        this.last = new AtomicReference<>(state());
        // Transitions are found by comparing states, not through Resilience4j's event publisher: any listener
        // there makes it build an event object (with a clock read) for every single call.
        this.watcher = policy.enabled()
                ? Flux.interval(WATCH_INTERVAL, WATCH_INTERVAL, Schedulers.parallel())
                        .subscribe(tick -> observe())
                : Disposables.disposed();
    }

    /** The outcome of a call the closed breaker let through. */
    private void closedCallEnded(boolean failed, long start) {
        if (!failed) {
            window.success();
        } else if (window.failure(start) && breaker.getState() == CircuitBreaker.State.CLOSED) {
            breaker.transitionToOpenState();
        }
    }

    /** The outcome of a probe: the first success closes the breaker, a failure opens it again. */
    private void probeEnded(boolean failed) {
        if (breaker.getState() != CircuitBreaker.State.HALF_OPEN) {
            return;
        }
        if (failed) {
            breaker.transitionToOpenState();
        } else {
            window.clear();
            breaker.transitionToClosedState();
        }
    }

    /** Publishes a transition when the state differs from the last one seen. Cheap: one volatile read. */
    private void observe() {
        BreakerState now = state();
        BreakerState before = last.get();
        if (now != before && last.compareAndSet(before, now)) {
            transitions.tryEmitNext(new BreakerTransition(pool, before, now, Instant.now()));
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
     * the transition check, and the refusal as {@link CircuitOpenException}, with one subscriber per call.
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
                boolean probe = owner.breaker.getState() == CircuitBreaker.State.HALF_OPEN;
                if (probe) {
                    owner.observe();
                }
                source.subscribe(new Call<>(actual, owner, probe));
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
        private final boolean probe;
        private final long start;
        private Subscription upstream;
        private volatile boolean emitted;
        private volatile int settled;

        Call(CoreSubscriber<? super T> actual, PoolBreaker owner, boolean probe) {
            this.actual = actual;
            this.owner = owner;
            this.probe = probe;
            this.start = owner.window.now();
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
                ended(countsAsFailure(error));
            }
            actual.onError(error);
        }

        @Override
        public void onComplete() {
            if (settle()) {
                ended(false);
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
                    ended(false);
                } else if (probe) {
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

        private void ended(boolean failed) {
            if (probe) {
                owner.probeEnded(failed);
            } else {
                owner.closedCallEnded(failed, start);
            }
            owner.observe();
        }
    }
}
