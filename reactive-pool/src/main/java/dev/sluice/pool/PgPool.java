package dev.sluice.pool;

import dev.sluice.pool.internal.CapacityCheck;
import dev.sluice.pool.internal.ConnectFailure;
import dev.sluice.pool.internal.DetachedAcquire;
import dev.sluice.pool.internal.LifecyclePolicy;
import dev.sluice.pool.internal.PoolBreaker;
import dev.sluice.pool.internal.Retries;
import dev.sluice.pool.internal.PoolCounters;
import dev.sluice.pool.internal.ServerConnections;
import dev.sluice.pool.internal.Statements;
import dev.sluice.pool.internal.TrackedConnection;
import dev.sluice.pool.loop.TimedLoop;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.pool.PoolMetrics;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryMetadata;
import io.r2dbc.spi.R2dbcTimeoutException;
import io.r2dbc.spi.Row;
import io.r2dbc.spi.ValidationDepth;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.pool.PoolAcquirePendingLimitException;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * One named PostgreSQL pool on r2dbc-pool over r2dbc-postgresql.
 *
 * <p>Work runs through {@link #withConnection(Function)}, which guarantees the connection goes back to the
 * pool when the work completes, fails or is cancelled. {@link #connectionFactory()} exposes the same pool as
 * a standard R2DBC {@link ConnectionFactory} for code that manages connections itself (it must close them).
 *
 * <p>Every publisher returned here is cold: nothing is acquired until subscription, and each subscription
 * acquires its own connection. Acquires fail with {@link PoolExhaustedException} when no connection comes
 * within {@link PgPoolConfig#acquireTimeout()} (or too many callers wait), and with
 * {@link PoolShutdownException} once {@link #close()} has begun. Errors from the server reach the caller
 * unchanged (R2DBC exceptions carrying the SQLSTATE).
 */
public final class PgPool implements Lifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(PgPool.class);
    private static final int LEAK_REPORTS_KEPT = 20;
    private static final Duration ABORT_WAIT = Duration.ofSeconds(5);

    private enum State { RUNNING, DRAINING, CLOSED }

    private final PgPoolConfig config;
    private final PoolCounters counters = new PoolCounters();
    private final ServerConnections server;
    private final ConnectionPool pool;
    private final Set<TrackedConnection> inUse = ConcurrentHashMap.newKeySet();
    private final Deque<LeakReport> leakReports = new ArrayDeque<>();
    private final AtomicReference<State> state = new AtomicReference<>(State.RUNNING);
    private volatile boolean aborted;
    private final Sinks.Empty<Void> drained = Sinks.empty();
    private final Sinks.Empty<Void> terminated = Sinks.empty();
    private final Disposable maintenance;
    private final ConnectionFactory connectionFactory;
    private final PoolBreaker breaker;
    private final long acquireTimeoutNanos;
    private final boolean leakDetection;

    private PgPool(PgPoolConfig config, ConnectionFactory driver) {
        this.config = config;
        this.server = driver == null ? new ServerConnections(config, counters) : new ServerConnections(config, counters, driver);
        LifecyclePolicy lifecycle = new LifecyclePolicy(config, counters);
        ConnectionPoolConfiguration.Builder builder = ConnectionPoolConfiguration.builder(server)
                .name(config.name())
                .initialSize(config.minConnections())
                .minIdle(config.minConnections())
                .maxSize(config.maxConnections())
                .maxAcquireTime(config.acquireTimeout())
                // each attempt to connect has the connect timeout (ServerConnections), and failed ones are tried again
                // within the acquire timeout: r2dbc-pool's own limit would cut the attempts short
                .maxCreateConnectionTime(ConnectionPoolConfiguration.NO_TIMEOUT)
                // LOCAL (and NONE) look at the driver's own state without a round trip: r2dbc-pool would arm a
                // timer on the parallel scheduler for every checkout to time a check that cannot hang.
                .maxValidationTime(validationMakesRoundTrip(config.validation()) ? config.validationTimeout() : ConnectionPoolConfiguration.NO_TIMEOUT)
                .maxIdleTime(config.idleTimeout())
                .maxLifeTime(config.maxLifetime())
                .backgroundEvictionInterval(config.evictionInterval())
                .acquireRetry(0)
                .metricsRecorder(counters)
                .customizer(poolBuilder -> poolBuilder
                        .evictionPredicate(lifecycle)
                        .maxPendingAcquire(config.maxPendingAcquires()));
        switch (config.validation()) {
            case REMOTE -> builder.validationDepth(ValidationDepth.REMOTE);
            case QUERY -> builder.validationQuery(config.validationQuery().orElseThrow());
            default -> builder.validationDepth(ValidationDepth.LOCAL);
        }
        this.pool = new ConnectionPool(builder.build());
        lifecycle.poolSize(() -> pool.getMetrics().map(m -> m.idleSize() + m.acquiredSize()).orElse(Integer.MAX_VALUE));
        // refills the pool to its minimum after evictions; a failed refill is logged and the next pass tries again
        this.maintenance = TimedLoop.every(config.evictionInterval(), "refill of pool '" + config.name() + "' to its minimum", LOG)
                .after(config.evictionInterval())
                .start(pool::warmup);
        this.connectionFactory = new PooledConnectionFactory();
        this.breaker = new PoolBreaker(config.name(), config.circuitBreaker());
        this.acquireTimeoutNanos = config.acquireTimeout().toNanos();
        this.leakDetection = config.leakDetectionThreshold().isPresent();
    }

    /**
     * Creates a pool. No connection is opened until {@link #warmup()} or the first acquire. Prefer a
     * {@link PoolRegistry}, which also checks capacity and closes pools for you.
     */
    public static PgPool create(PgPoolConfig config) {
        return new PgPool(config, null);
    }

    /**
     * Creates a pool whose connections come from {@code connections} instead of r2dbc-postgresql built from
     * the configuration: for a driver proxy (tracing, fault injection), tests and benchmarks. The
     * configuration's pool settings, after-connect hooks and validation still apply; its connection target,
     * TLS and session settings are then the factory's business.
     */
    public static PgPool create(PgPoolConfig config, ConnectionFactory connections) {
        return new PgPool(config, java.util.Objects.requireNonNull(connections, "connections"));
    }

    /** The pool's name. */
    public String name() {
        return config.name();
    }

    /** The pool's role. */
    public PoolRole role() {
        return config.role();
    }

    /** The pool's configuration. */
    public PgPoolConfig config() {
        return config;
    }

    /**
     * Opens connections up to the minimum, in parallel. Cold; emits how many connections were opened.
     *
     * @return fails when the pool could not reach its minimum, with the reason the server gave
     */
    public Mono<Integer> warmup() {
        return pool.warmup().onErrorMap(ConnectFailure.class, Throwable::getCause).flatMap(opened -> {
            int allocated = pool.getMetrics().map(PoolMetrics::allocatedSize).orElse(0);
            if (allocated >= config.minConnections()) {
                return Mono.just(opened);
            }
            return server.createUnpooled()
                    .flatMap(c -> Mono.from(c.close()))
                    .then(Mono.<Integer>error(new IllegalStateException("pool '" + name() + "' opened only " + allocated
                            + " of its minimum " + config.minConnections() + " connections")))
                    .onErrorMap(e -> !(e instanceof IllegalStateException), e -> CapacityCheck.cannotConnect(config, e));
        });
    }

    /**
     * Runs {@code work} with a connection of this pool and returns the connection when the work ends.
     *
     * <p>Cold: each subscription acquires a connection (waiting at most the acquire timeout), subscribes to
     * the publisher {@code work} returns, and emits what it emits. The connection goes back to the pool when
     * that publisher completes, fails, or the subscriber cancels; it must not be used after that. On
     * cancellation the server is first asked to cancel the statement still running, if any, so the next
     * caller does not wait behind it (prefer operators that complete, such as {@code singleOrEmpty()}, over
     * ones that cancel early, such as {@code next()}, when a statement is expected to finish anyway). A
     * cancellation while the connection is still being acquired does not withdraw the acquire: it runs to its
     * end (at most the acquire timeout) and the connection goes straight back, so no race can lose it.
     *
     * @throws PoolExhaustedException (as an error signal) when no connection comes in time
     * @throws PoolShutdownException  (as an error signal) once shutdown has begun, or when the grace period
     *                                ended while the work was still running
     */
    public <T> Flux<T> withConnection(Function<? super Connection, ? extends Publisher<T>> work) {
        Throwable callSite = leakCallSite();
        return breaker.protect(Flux.usingWhen(acquireDetached(callSite), work, TrackedConnection::close, (c, error) -> c.close(),
                        TrackedConnection::cancelAndClose))
                .onErrorMap(this::abortedByShutdown)
                .contextWrite(PgPool::releaseDropped);
    }

    /** Reactor's context key for a local "value dropped" hook (the key r2dbc-pool uses for the same purpose). */
    private static final String ON_NEXT_DROPPED = "reactor.onNextDropped.local";

    /**
     * A connection that arrives just as its caller cancels is dropped by the operator that sees the cancellation;
     * this hook returns such a connection to the pool instead of losing it.
     */
    private static reactor.util.context.Context releaseDropped(reactor.util.context.Context context) {
        java.util.function.Consumer<Object> release = dropped -> {
            if (dropped instanceof Connection connection) {
                Mono.from(connection.close()).onErrorResume(e -> Mono.empty()).subscribe();
            }
        };
        java.util.function.Consumer<Object> hook = context.<java.util.function.Consumer<Object>>getOrEmpty(ON_NEXT_DROPPED)
                .map(existing -> release.andThen(existing)).orElse(release);
        return context.put(ON_NEXT_DROPPED, hook);
    }

    /**
     * Runs {@code work} (subscribed afresh on every attempt) and runs it again on transient failures as
     * {@code policy} allows (see {@link ErrorClass#isTransient()}); each retry is counted in
     * {@link PoolStats#retries()}. Cold. Only give it work that is safe to repeat, and whose values are
     * not emitted before a failure (a retried {@code Flux} emits again from the start).
     */
    public <T> Flux<T> withRetry(RetryPolicy policy, java.util.function.Supplier<? extends Publisher<T>> work) {
        Flux<T> once = Flux.defer(work);
        return Retries.retries(policy) ? once.retryWhen(Retries.of(policy, counters)) : once;
    }

    /** The circuit breaker's state now. */
    public BreakerState breakerState() {
        return breaker.state();
    }

    /** The circuit breaker's transitions, as they happen. Hot: late subscribers see only later transitions. */
    public Flux<BreakerTransition> breakerTransitions() {
        return breaker.transitions();
    }

    private Throwable abortedByShutdown(Throwable error) {
        if (!aborted || error instanceof PoolShutdownException) {
            return error;
        }
        return new PoolShutdownException("pool '" + name() + "' closed after its grace period of "
                + config.shutdownGracePeriod().toMillis() + " ms; this operation was still running and was cancelled", error);
    }

    /**
     * Runs {@code work} in a transaction with default options ({@link TxOptions#DEFAULT}).
     *
     * @see #inTransaction(TxOptions, Function)
     */
    public <T> Flux<T> inTransaction(Function<? super Tx, ? extends Publisher<T>> work) {
        return inTransaction(TxOptions.DEFAULT, work);
    }

    /**
     * Runs {@code work} in a transaction on one connection of this pool.
     *
     * <p>Cold: each subscription acquires a connection, begins with the options' isolation and access mode,
     * applies their {@code SET LOCAL} values, runs the work, runs the commit check, and commits. The work's
     * values are emitted after the commit succeeded (so a caller never sees values of a transaction that
     * rolled back; for large streams use {@link #withConnection(Function)} with explicit statements). If the
     * work or the commit fails, the transaction is rolled back and the error passed on (a vetoed commit as
     * {@link TxVetoException}); if the subscriber cancels, the running statement is cancelled on the server
     * and the transaction rolled back. With a {@link RetryPolicy} in the options, transient failures re-run
     * the whole transaction on a fresh connection (see {@link ErrorClass#isTransient()}).
     */
    public <T> Flux<T> inTransaction(TxOptions options, Function<? super Tx, ? extends Publisher<T>> work) {
        Throwable callSite = leakCallSite();
        Mono<List<T>> attempt = breaker.protect(Transactions.attempt(this, acquireDetached(callSite), options, work).flux()).single();
        RetryPolicy policy = options.retry().orElse(config.retry());
        if (Retries.retries(policy)) {
            attempt = attempt.retryWhen(Retries.of(policy, counters));
        }
        return attempt.onErrorMap(this::abortedByShutdown).contextWrite(PgPool::releaseDropped).flatMapMany(Flux::fromIterable);
    }

    /**
     * Runs {@code work} in a transaction whose tenant is {@code tenantId}: the first statement is
     * {@code SELECT set_config('app.tenant_id', $1, true)}, so row-level security policies reading
     * {@code current_setting('app.tenant_id', true)} apply, and the setting ends with the transaction.
     * Otherwise as {@link #inTransaction(TxOptions, Function)}.
     *
     * @throws IllegalArgumentException at once (not as a signal) when the tenant id is not valid
     *                                  ({@link TenantContext#TENANT_ID}); nothing reaches the server
     */
    public <T> Flux<T> withTenant(String tenantId, TxOptions options, Function<? super Tx, ? extends Publisher<T>> work) {
        String tenant = TenantContext.validate(tenantId);
        return inTransaction(options, tx -> tx.query("SELECT set_config('" + TenantContext.SETTING + "', $1, true)",
                row -> 1, tenant).thenMany(Flux.defer(() -> work.apply(tx))));
    }

    /** {@link #withTenant(String, TxOptions, Function)} with default options. */
    public <T> Flux<T> withTenant(String tenantId, Function<? super Tx, ? extends Publisher<T>> work) {
        return withTenant(tenantId, TxOptions.DEFAULT, work);
    }

    /**
     * A session for one agent over this pool, with limits and statistics of its own.
     *
     * @throws ConfigException when the agent id is not 1 to 40 letters, digits or dashes
     */
    public AgentSession session(String agentId, SessionLimits limits) {
        TxOptions.builder().agentId(agentId);
        return new AgentSession(this, agentId, limits);
    }

    /**
     * This pool as a standard R2DBC {@link ConnectionFactory}: {@code create()} acquires a pooled connection
     * (cold, same errors as {@link #withConnection(Function)}), and closing that connection returns it. A
     * connection that is never closed stays out of the pool; leak detection reports it.
     */
    public ConnectionFactory connectionFactory() {
        return connectionFactory;
    }

    /**
     * Runs a query with positional parameters ({@code $1, $2, ...}) and maps each row. Cold; emits one value
     * per row; the connection is returned when the rows are consumed, on error or on cancellation. A typed
     * {@code NULL} is passed as {@code Parameters.in(Integer.class)} (a bare {@code null} is refused with
     * {@link IllegalArgumentException}). Statements slower than {@link PgPoolConfig#slowQueryThreshold()} are
     * logged (without their parameters).
     */
    public <T> Flux<T> query(String sql, Function<? super Row, ? extends T> mapper, Object... params) {
        return withConnection(c -> Statements.logIfSlow(Statements.query(c, sql, params, mapper), name(), sql, config.slowQueryThreshold()));
    }

    /**
     * Like {@link #query(String, Function, Object...)} for at most one row. Cold; emits the row's value, or
     * completes empty when there is none.
     *
     * @throws IllegalStateException (as an error signal) when the query returns more than one row
     */
    public <T> Mono<T> queryOne(String sql, Function<? super Row, ? extends T> mapper, Object... params) {
        return query(sql, mapper, params).take(2).collectList().flatMap(rows -> {
            if (rows.size() > 1) {
                return Mono.error(new IllegalStateException("expected at most one row but got more from: " + sql));
            }
            return Mono.justOrEmpty(rows.isEmpty() ? null : rows.get(0));
        });
    }

    /** Runs an {@code INSERT}/{@code UPDATE}/{@code DELETE} (or any statement). Cold; emits the number of rows changed. */
    public Mono<Long> update(String sql, Object... params) {
        return withConnection(c -> Statements.logIfSlow(Statements.update(c, sql, params).flux(), name(), sql, config.slowQueryThreshold()))
                .singleOrEmpty();
    }

    /**
     * Runs statements without parameters as one batch, in one round trip, on one connection. Cold; emits
     * each statement's changed-row count in order. Without a transaction each statement commits on its own.
     */
    public Flux<Long> batch(List<String> statements) {
        return withConnection(c -> Statements.batch(c, statements));
    }

    /**
     * Runs one statement once per parameter set on one connection, pipelined by the driver. Cold; emits each
     * run's changed-row count in order.
     */
    public Flux<Long> batch(String sql, List<Object[]> parameterSets) {
        return withConnection(c -> Statements.logIfSlow(Statements.batch(c, sql, parameterSets), name(), sql, config.slowQueryThreshold()));
    }

    /**
     * Runs independent pieces of work at the same time, each on its own connection. Cold; emits their values
     * as they arrive (interleaved); fails as soon as one fails, cancelling the others.
     */
    public <T> Flux<T> inParallel(List<Function<? super Connection, ? extends Publisher<T>>> works) {
        return Flux.fromIterable(works).flatMap(this::withConnection, Math.max(1, works.size()));
    }

    /**
     * {@code EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)} of a statement, run in a transaction that is rolled back
     * (so explaining a write changes nothing; note that ANALYZE does execute the statement). Cold; emits the
     * plan as JSON text.
     */
    public Mono<String> explain(String sql, Object... params) {
        return withConnection(c -> Statements.explain(c, sql, params)).single();
    }

    /** A snapshot of the pool's numbers. Cheap; safe to call from any thread. */
    public PoolStats stats() {
        PoolMetrics m = pool.getMetrics().orElse(null);
        List<LeakReport> leaks;
        synchronized (leakReports) {
            leaks = List.copyOf(leakReports);
        }
        return counters.snapshot(name(), role(),
                m == null ? 0 : m.allocatedSize(), m == null ? 0 : m.acquiredSize(), m == null ? 0 : m.idleSize(),
                m == null ? 0 : m.pendingAcquireSize(), config.maxConnections(), leaks, breaker.state());
    }

    /** {@link #stop()}, waiting at most the grace period and the time to close the connections after it. */
    @Override
    public void close() {
        stop().block(config.shutdownGracePeriod().plus(ABORT_WAIT).plusSeconds(10));
    }

    /** Whether shutdown has begun. */
    public boolean isClosing() {
        return state.get() != State.RUNNING;
    }

    /**
     * Opens connections up to the minimum ({@link #warmup()}). Cold; completes when they are open.
     *
     * @return fails with the reason the server gave when the minimum cannot be opened, and with
     *         {@link IllegalStateException} once the pool is stopping or stopped
     */
    @Override
    public Mono<Void> start() {
        return Mono.defer(() -> state.get() != State.RUNNING
                ? Mono.error(new IllegalStateException("pool '" + name() + "' is stopped; create a new pool to use it again"))
                : warmup().then());
    }

    /**
     * Shuts the pool down gracefully. Cold, idempotent: the first subscription starts the shutdown, every
     * subscription completes when it is over.
     *
     * <p>At once, new acquires fail with {@link PoolShutdownException}. Work holding a connection may
     * finish within {@link PgPoolConfig#shutdownGracePeriod()}; work still running then is cancelled with
     * {@link PoolShutdownException} and its connection closed. Then every connection is closed, so none of
     * this pool's sessions remains on the server.
     */
    @Override
    public Mono<Void> stop() {
        return Mono.defer(() -> {
            if (state.compareAndSet(State.RUNNING, State.DRAINING)) {
                drain();
            }
            return terminated.asMono();
        });
    }

    private void drain() {
        LOG.info("pool '{}' shutting down: {} connections in use, grace period {} ms", name(), inUse.size(),
                config.shutdownGracePeriod().toMillis());
        if (inUse.isEmpty()) {
            drained.tryEmitEmpty();
        }
        Mono<Boolean> graceful = drained.asMono().thenReturn(true)
                .timeout(config.shutdownGracePeriod(), Mono.just(false), Schedulers.parallel());
        graceful.flatMap(inTime -> {
                    // a zero grace period can time out before the drained signal is seen: nothing in use is in time
                    if (inTime || inUse.isEmpty()) {
                        return Mono.empty();
                    }
                    LOG.warn("pool '{}': grace period of {} ms over, cancelling {} unfinished operations", name(),
                            config.shutdownGracePeriod().toMillis(), inUse.size());
                    aborted = true;
                    return Flux.fromIterable(List.copyOf(inUse)).flatMap(TrackedConnection::abort).then()
                            .then(drained.asMono().timeout(ABORT_WAIT, Mono.empty()));
                })
                .then(Mono.fromRunnable(() -> {
                    maintenance.dispose();
                    breaker.close();
                }))
                .then(pool.disposeLater().onErrorResume(e -> {
                    LOG.warn("pool '{}': closing connections failed: {}", name(), e.toString());
                    return Mono.empty();
                }))
                .doFinally(signal -> {
                    state.set(State.CLOSED);
                    LOG.info("pool '{}' closed", name());
                    terminated.tryEmitEmpty();
                })
                .subscribe();
    }

    /**
     * Acquires a tracked connection without letting the caller's cancellation reach into the acquire (see
     * {@link DetachedAcquire}): the acquire runs to its end, and a connection that arrives for a caller who has
     * gone is returned to the pool at once. An abandoned acquire still ends within the acquire timeout.
     */
    private Mono<TrackedConnection> acquireDetached(Throwable callSite) {
        return new DetachedAcquire<>(acquire(callSite));
    }

    /** Acquires a tracked connection. */
    private Mono<TrackedConnection> acquire(Throwable callSite) {
        return Mono.defer(() -> {
            if (state.get() != State.RUNNING) {
                return Mono.error(shutdownError());
            }
            long start = System.nanoTime();
            return checkout(start, 0).map(connection -> {
                TrackedConnection tracked = track(connection, start, callSite);
                if (state.get() != State.RUNNING) {
                    // Shutdown began while this acquire waited, and its drain may have looked before the connection
                    // was tracked: give it back and refuse the work, as if the acquire had come a moment later.
                    Mono.from(tracked.close()).subscribe(v -> { }, e -> { });
                    throw shutdownError();
                }
                return tracked;
            });
        });
    }

    /**
     * One checkout from r2dbc-pool. A connection that fails validation is discarded and another tried, at most
     * {@code maxConnections} times and only while the caller's acquire timeout has time left: a pool full of dead
     * connections must not turn into a wait of maxConnections × acquireTimeout. Errors come out translated
     * ({@link #translate}). The same as {@code retryWhen(Retry.max(maxConnections).filter(...))}, without the
     * retry companion that operator sets up for every acquire, failed or not.
     */
    private Mono<Connection> checkout(long start, int retries) {
        return pool.create().onErrorResume(error -> {
            if (!isValidationFailure(error) || System.nanoTime() - start >= acquireTimeoutNanos) {
                return Mono.error(translate(error, start));
            }
            if (retries >= config.maxConnections()) {
                return Mono.error(translate(Exceptions.retryExhausted("Retries exhausted: " + retries + "/" + retries, error), start));
            }
            counters.validationFailed();
            return checkout(start, retries + 1);
        });
    }

    private TrackedConnection track(Connection connection, long start, Throwable callSite) {
        counters.recordAcquire(System.nanoTime() - start);
        TrackedConnection tracked = new TrackedConnection(connection, this::released, config.connectTimeout());
        inUse.add(tracked);
        if (callSite != null) {
            Thread thread = Thread.currentThread();
            tracked.leakTimer(Schedulers.parallel().schedule(() -> reportLeak(tracked, callSite, thread.getName()),
                    config.leakDetectionThreshold().orElseThrow().toMillis(), TimeUnit.MILLISECONDS));
        }
        return tracked;
    }

    private void released(TrackedConnection connection) {
        inUse.remove(connection);
        if (state.get() != State.RUNNING && inUse.isEmpty()) {
            drained.tryEmitEmpty();
        }
    }

    private Throwable translate(Throwable error, long start) {
        Duration waited = Duration.ofNanos(System.nanoTime() - start);
        PoolMetrics m = pool.getMetrics().orElse(null);
        int acquired = m == null ? 0 : m.acquiredSize();
        int pending = m == null ? 0 : m.pendingAcquireSize();
        if (error instanceof R2dbcTimeoutException && String.valueOf(error.getMessage()).startsWith("Connection acquisition timed out")) {
            counters.acquireTimedOut();
            String reason = "no connection within the acquire timeout of " + config.acquireTimeout().toMillis() + " ms";
            PoolCounters.ConnectError unreachable = counters.lastConnectFailure();
            if (unreachable != null && unreachable.atNanos() - start >= 0) {
                // the pool was trying to open connections while this caller waited, and the server refused them
                return new PoolExhaustedException(name(), config.maxConnections(), acquired, pending, waited,
                        reason + " (opening a connection kept failing while this caller waited, the last attempt with: "
                                + unreachable.error() + ")", unreachable.error());
            }
            return new PoolExhaustedException(name(), config.maxConnections(), acquired, pending, waited, reason);
        }
        if (error instanceof ConnectFailure failure) {
            counters.acquireTimedOut();
            return new PoolExhaustedException(name(), config.maxConnections(), acquired, pending, waited,
                    "no connection could be opened within the acquire timeout of " + config.acquireTimeout().toMillis()
                            + " ms (" + failure.getMessage() + ")", failure.getCause());
        }
        if (error instanceof PoolAcquirePendingLimitException) {
            counters.acquireRejected();
            return new PoolExhaustedException(name(), config.maxConnections(), acquired, pending, waited,
                    "maxPendingAcquires (" + config.maxPendingAcquires() + ") callers were already waiting");
        }
        if (error instanceof reactor.pool.PoolShutdownException || state.get() != State.RUNNING) {
            return shutdownError();
        }
        if (isValidationFailure(error)) {
            counters.validationFailed();
        }
        counters.acquireFailed();
        return error;
    }

    private static boolean validationMakesRoundTrip(ValidationMode mode) {
        return mode == ValidationMode.REMOTE || mode == ValidationMode.QUERY;
    }

    private static boolean isValidationFailure(Throwable error) {
        String message = String.valueOf(error.getMessage());
        return message.startsWith("Connection validation failed") || message.startsWith("Validation timed out");
    }

    private PoolShutdownException shutdownError() {
        return new PoolShutdownException("pool '" + name() + "' is shutting down: no new work is accepted"
                + (state.get() == State.CLOSED ? " (it is closed)" : ""), null);
    }

    private Throwable leakCallSite() {
        return leakDetection ? new Throwable("connection acquired here") : null;
    }

    private void reportLeak(TrackedConnection connection, Throwable callSite, String thread) {
        if (connection.isReleased()) {
            return;
        }
        Duration held = Duration.ofNanos(System.nanoTime() - connection.acquiredAtNanos());
        StringWriter stack = new StringWriter();
        callSite.printStackTrace(new PrintWriter(stack));
        LeakReport report = new LeakReport(name(), Instant.now().minus(held), held, thread, stack.toString());
        counters.leakReported();
        synchronized (leakReports) {
            if (leakReports.size() == LEAK_REPORTS_KEPT) {
                leakReports.removeFirst();
            }
            leakReports.addLast(report);
        }
        LOG.warn("pool '{}': connection held for {} ms, longer than leakDetectionThreshold {} ms; acquired by thread {} at:",
                name(), held.toMillis(), config.leakDetectionThreshold().orElseThrow().toMillis(), thread, callSite);
    }


    @Override
    public String toString() {
        return "PgPool[" + config + "]";
    }

    private final class PooledConnectionFactory implements ConnectionFactory {
        @Override
        public Publisher<? extends Connection> create() {
            return acquire(leakCallSite());
        }

        @Override
        public ConnectionFactoryMetadata getMetadata() {
            return server.getMetadata();
        }
    }
}
