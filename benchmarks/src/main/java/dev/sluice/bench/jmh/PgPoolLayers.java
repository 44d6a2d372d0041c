package dev.sluice.bench.jmh;

import dev.sluice.pool.CircuitBreakerPolicy;
import dev.sluice.pool.ErrorClass;
import dev.sluice.pool.SqlErrorClassifier;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ValidationDepth;
import org.HdrHistogram.Recorder;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.pool.PoolMetricsRecorder;
import reactor.pool.PooledRefMetadata;
import reactor.util.retry.Retry;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiPredicate;
import java.util.function.Function;

/**
 * The layers {@code PgPool} puts around r2dbc-pool on its acquire and release path, rebuilt from public APIs over any
 * {@link ConnectionFactory}.
 *
 * <p>{@code PgPool} builds its own r2dbc-postgresql factory from {@code PgPoolConfig} and has no way to be given
 * another one, so its real acquire path cannot run over an in-memory connection. This class repeats, step by step,
 * what {@code PgPool.withConnection} does at the commit this module is built with, so the JMH benchmark can show what
 * those layers cost next to raw r2dbc-pool:
 * <ul>
 *   <li>the {@link ConnectionPool} configured as {@code PgPool} configures it: fixed size, LOCAL validation, no
 *       acquire retry, an eviction predicate (use count, jittered lifetime, idle time above the minimum), a metrics
 *       recorder of {@link LongAdder}s and an unbounded pending queue;</li>
 *   <li>the acquire: a state check, the start time, a retry on validation failures, the translation of pool errors,
 *       and a tracked handle (acquire latency into an HdrHistogram {@link Recorder}, the handle in a concurrent in-use
 *       set);</li>
 *   <li>{@code Flux.usingWhen} with release on complete, error and cancel; the release returns the connection once,
 *       rolls back when not in auto-commit, and removes the handle from the in-use set;</li>
 *   <li>the Resilience4j circuit breaker ({@link CircuitBreakerPolicy#DEFAULT}, classifying failures with
 *       {@link SqlErrorClassifier}) with a state-transition listener, as {@code PoolBreaker} has.</li>
 * </ul>
 * The work receives the pooled connection itself rather than a wrapper implementing {@link Connection}; the handle
 * is still allocated and tracked.
 */
public final class PgPoolLayers implements AutoCloseable {

    private static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(5);

    private final ConnectionPool pool;
    private final int maxSize;
    private final AtomicInteger state = new AtomicInteger();
    private final Set<Handle> inUse = ConcurrentHashMap.newKeySet();
    private final Counters counters = new Counters();
    private final CircuitBreaker breaker;

    /**
     * @param factory where connections come from
     * @param size    the pool's fixed size
     * @param breaker whether the circuit breaker layer is on ({@code PgPool}'s default)
     */
    public PgPoolLayers(ConnectionFactory factory, int size, boolean breaker) {
        this.maxSize = size;
        Lifecycle lifecycle = new Lifecycle(size);
        this.pool = new ConnectionPool(ConnectionPoolConfiguration.builder(factory)
                .name("layers")
                .initialSize(size).minIdle(size).maxSize(size)
                .maxAcquireTime(ACQUIRE_TIMEOUT)
                .maxCreateConnectionTime(ACQUIRE_TIMEOUT)
                .maxValidationTime(Duration.ofSeconds(2))
                .maxIdleTime(Duration.ofMinutes(10))
                .maxLifeTime(Duration.ofMinutes(30))
                .backgroundEvictionInterval(Duration.ofSeconds(30))
                .acquireRetry(0)
                .metricsRecorder(counters)
                .validationDepth(ValidationDepth.LOCAL)
                .customizer(b -> b.evictionPredicate(lifecycle).maxPendingAcquire(Integer.MAX_VALUE))
                .build());
        lifecycle.poolSize = () -> pool.getMetrics().map(m -> m.idleSize() + m.acquiredSize()).orElse(Integer.MAX_VALUE);
        this.breaker = breaker ? breaker(CircuitBreakerPolicy.DEFAULT) : null;
    }

    /** A raw r2dbc-pool with the same configuration as the one under these layers, but without the Sluice parts. */
    public static ConnectionPool rawPool(ConnectionFactory factory, int size) {
        return new ConnectionPool(ConnectionPoolConfiguration.builder(factory)
                .name("raw")
                .initialSize(size).minIdle(size).maxSize(size)
                .maxAcquireTime(ACQUIRE_TIMEOUT)
                .maxCreateConnectionTime(ACQUIRE_TIMEOUT)
                .maxValidationTime(Duration.ofSeconds(2))
                .maxIdleTime(Duration.ofMinutes(10))
                .maxLifeTime(Duration.ofMinutes(30))
                .backgroundEvictionInterval(Duration.ofSeconds(30))
                .acquireRetry(0)
                .validationDepth(ValidationDepth.LOCAL)
                .build());
    }

    /** Opens the pool's connections. */
    public Mono<Integer> warmup() {
        return pool.warmup();
    }

    /** Runs {@code work} with a pooled connection and releases it on complete, error and cancel. Cold. */
    public <T> Flux<T> withConnection(Function<? super Connection, ? extends Publisher<T>> work) {
        Flux<T> flux = Flux.usingWhen(acquire(), h -> work.apply(h.connection), Handle::close, (h, error) -> h.close(), Handle::close);
        if (breaker != null) {
            flux = flux.transformDeferred(CircuitBreakerOperator.of(breaker));
        }
        // PgPool maps errors of work cut short by shutdown here; on the success path only the operator is paid for.
        return flux.onErrorMap(error -> error);
    }

    @Override
    public void close() {
        pool.dispose();
    }

    private Mono<Handle> acquire() {
        return Mono.defer(() -> {
            if (state.get() != 0) {
                return Mono.error(new IllegalStateException("closed"));
            }
            long start = System.nanoTime();
            return Mono.from(pool.create())
                    .retryWhen(Retry.max(maxSize).filter(PgPoolLayers::isValidationFailure)
                            .doBeforeRetry(signal -> counters.validationFailures.increment()))
                    // PgPool translates pool errors (timeouts, pending limit, shutdown) here: only the operator is on the success path
                    .onErrorMap(error -> error)
                    .map(connection -> track(connection, start));
        });
    }

    private Handle track(Connection connection, long start) {
        counters.recordAcquire(System.nanoTime() - start);
        Handle handle = new Handle(connection, inUse::remove);
        inUse.add(handle);
        return handle;
    }

    private static boolean isValidationFailure(Throwable error) {
        String message = String.valueOf(error.getMessage());
        return message.startsWith("Connection validation failed") || message.startsWith("Validation timed out");
    }

    private static CircuitBreaker breaker(CircuitBreakerPolicy policy) {
        CircuitBreaker breaker = CircuitBreaker.of("layers", CircuitBreakerConfig.custom()
                .failureRateThreshold(policy.failureRatePercent())
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(policy.slidingWindowSize())
                .minimumNumberOfCalls(policy.minimumCalls())
                .waitDurationInOpenState(policy.waitInOpenState())
                .permittedNumberOfCallsInHalfOpenState(policy.halfOpenCalls())
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .recordException(error -> {
                    ErrorClass kind = SqlErrorClassifier.classify(error);
                    return kind == ErrorClass.CONNECTION || kind == ErrorClass.TIMEOUT;
                })
                .build());
        breaker.getEventPublisher().onStateTransition(event -> { });
        return breaker;
    }

    /** The tracked handle of an acquired connection: released once, then out of the in-use set. */
    private static final class Handle {
        final Connection connection;
        final AtomicBoolean released = new AtomicBoolean();
        final java.util.function.Consumer<Handle> onRelease;
        final long acquiredAtNanos = System.nanoTime();

        Handle(Connection connection, java.util.function.Consumer<Handle> onRelease) {
            this.connection = connection;
            this.onRelease = onRelease;
        }

        Publisher<Void> close() {
            return Mono.defer(() -> {
                if (!released.compareAndSet(false, true)) {
                    return Mono.empty();
                }
                Mono<Void> leaveTransaction = connection.isAutoCommit() ? Mono.empty() : Mono.from(connection.rollbackTransaction());
                return leaveTransaction.then(Mono.from(connection.close()))
                        .doOnTerminate(() -> onRelease.accept(this))
                        .doOnCancel(() -> onRelease.accept(this));
            });
        }
    }

    /** The eviction rule of {@code LifecyclePolicy}: use count, jittered lifetime, idle time above the minimum. */
    private static final class Lifecycle implements BiPredicate<Connection, PooledRefMetadata> {
        private final long maxLifetimeMillis = Duration.ofMinutes(30).toMillis();
        private final long idleTimeoutMillis = Duration.ofMinutes(10).toMillis();
        private final int minConnections;
        volatile java.util.function.IntSupplier poolSize = () -> Integer.MAX_VALUE;

        Lifecycle(int minConnections) {
            this.minConnections = minConnections;
        }

        @Override
        public boolean test(Connection connection, PooledRefMetadata metadata) {
            long h = System.identityHashCode(connection) * 0x9E3779B97F4A7C15L;
            double u = ((h >>> 11) & ((1L << 53) - 1)) / (double) (1L << 53);
            if (metadata.lifeTime() >= (long) (maxLifetimeMillis * (1 - 0.10 * u))) {
                return true;
            }
            return metadata.idleTime() >= idleTimeoutMillis && poolSize.getAsInt() > minConnections;
        }
    }

    /** {@code PoolCounters}: lock-free counters and the acquire-latency recorder. */
    private static final class Counters implements PoolMetricsRecorder {
        private static final long MAX_TRACKED_NANOS = TimeUnit.HOURS.toNanos(1);
        final LongAdder acquired = new LongAdder();
        final LongAdder reused = new LongAdder();
        final LongAdder closed = new LongAdder();
        final LongAdder allocationErrors = new LongAdder();
        final LongAdder validationFailures = new LongAdder();
        final Recorder acquireLatency = new Recorder(MAX_TRACKED_NANOS, 2);

        void recordAcquire(long nanos) {
            acquired.increment();
            acquireLatency.recordValue(Math.min(Math.max(nanos, 0), MAX_TRACKED_NANOS));
        }

        @Override
        public void recordAllocationSuccessAndLatency(long latencyMs) {
            // counted where connections are created, as PgPool does
        }

        @Override
        public void recordAllocationFailureAndLatency(long latencyMs) {
            allocationErrors.increment();
        }

        @Override
        public void recordResetLatency(long latencyMs) {
            // no reset step in r2dbc-pool
        }

        @Override
        public void recordDestroyLatency(long latencyMs) {
            closed.increment();
        }

        @Override
        public void recordRecycled() {
            // not reported
        }

        @Override
        public void recordLifetimeDuration(long millisecondsSinceAllocation) {
            // enforced by the eviction predicate
        }

        @Override
        public void recordIdleTime(long millisecondsIdle) {
            // enforced by the eviction predicate
        }

        @Override
        public void recordSlowPath() {
            // counted as created
        }

        @Override
        public void recordFastPath() {
            reused.increment();
        }
    }
}
