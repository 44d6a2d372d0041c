package dev.sluice.pool;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Row;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * One agent's (or tenant's) use of a pool, with {@link SessionLimits} and its own statistics. Made by
 * {@link PgPool#session(String, SessionLimits)}; cheap, thread-safe, and it holds no connection between
 * operations. Its transactions carry the agent id in {@code application_name}.
 */
public final class AgentSession {

    private final PgPool pool;
    private final String agentId;
    private final SessionLimits limits;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicLong operations = new AtomicLong();
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong aborted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    AgentSession(PgPool pool, String agentId, SessionLimits limits) {
        this.pool = pool;
        this.agentId = agentId;
        this.limits = limits;
    }

    /** The agent's id. */
    public String agentId() {
        return agentId;
    }

    /** The session's limits. */
    public SessionLimits limits() {
        return limits;
    }

    /**
     * As {@link PgPool#withConnection(Function)}, counted against the session's limits. Cold.
     *
     * @throws SessionLimitException (as an error signal, before any acquire) when the agent already holds
     *                               {@code maxConcurrentConnections} or has used up {@code maxOperations}
     */
    public <T> Flux<T> withConnection(Function<? super Connection, ? extends Publisher<T>> work) {
        return limited(pool.withConnection(work));
    }

    /**
     * As {@link PgPool#inTransaction(TxOptions, Function)}, with the agent id set in the options, each
     * transaction limited to {@code maxStatementsPerTransaction} statements run through its {@link Tx}, and the
     * call's outcome counted: committed when it completes, aborted when it fails or is cancelled (a transaction
     * the options' retry policy runs again counts once). Cold; same errors, plus {@link SessionLimitException}.
     */
    public <T> Flux<T> inTransaction(TxOptions options, Function<? super Tx, ? extends Publisher<T>> work) {
        TxOptions withAgent = options.toBuilder().agentId(agentId).build();
        return limited(pool.inTransaction(withAgent, tx -> work.apply(new LimitedTx(tx)))
                .doOnComplete(committed::incrementAndGet)
                .doOnError(e -> aborted.incrementAndGet())
                .doOnCancel(aborted::incrementAndGet));
    }

    /** A snapshot of the session's numbers. */
    public SessionStats stats() {
        return new SessionStats(agentId, operations.get(), committed.get(), aborted.get(), active.get(), refused.get());
    }

    private <T> Flux<T> limited(Flux<T> work) {
        return Flux.defer(() -> {
            long operation = operations.incrementAndGet();
            if (operation > limits.maxOperations()) {
                operations.decrementAndGet();
                refused.incrementAndGet();
                return Flux.error(new SessionLimitException(agentId, "maxOperations", limits.maxOperations(), operation));
            }
            int holding = active.incrementAndGet();
            if (holding > limits.maxConcurrentConnections()) {
                active.decrementAndGet();
                operations.decrementAndGet();
                refused.incrementAndGet();
                return Flux.error(new SessionLimitException(agentId, "maxConcurrentConnections", limits.maxConcurrentConnections(), holding));
            }
            AtomicBoolean done = new AtomicBoolean();
            Runnable release = () -> {
                if (done.compareAndSet(false, true)) {
                    active.decrementAndGet();
                }
            };
            return work.doOnTerminate(release).doOnCancel(release);
        });
    }

    @Override
    public String toString() {
        return "AgentSession[" + agentId + " on " + pool.name() + " " + limits + "]";
    }

    /** A transaction of this session: its statements counted against {@code maxStatementsPerTransaction}. */
    private final class LimitedTx implements Tx {

        private final Tx tx;
        private final AtomicInteger statements = new AtomicInteger();

        LimitedTx(Tx tx) {
            this.tx = tx;
        }

        @Override
        public Connection connection() {
            return tx.connection();
        }

        @Override
        public TxOptions options() {
            return tx.options();
        }

        @Override
        public <T> Flux<T> query(String sql, Function<? super Row, ? extends T> mapper, Object... params) {
            return Flux.defer(() -> counted().thenMany(tx.query(sql, mapper, params)));
        }

        @Override
        public Mono<Long> update(String sql, Object... params) {
            return Mono.defer(() -> counted().then(tx.update(sql, params)));
        }

        @Override
        public Mono<Void> savepoint(String name) {
            return tx.savepoint(name);
        }

        @Override
        public Mono<Void> rollbackTo(String name) {
            return tx.rollbackTo(name);
        }

        @Override
        public Mono<Void> release(String name) {
            return tx.release(name);
        }

        private Mono<Void> counted() {
            int count = statements.incrementAndGet();
            int limit = limits.maxStatementsPerTransaction();
            return count > limit ? Mono.error(new SessionLimitException(agentId, "maxStatementsPerTransaction", limit, count)) : Mono.empty();
        }

        @Override
        public String toString() {
            return tx + " of agent " + agentId;
        }
    }
}
