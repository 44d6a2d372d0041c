package dev.sluice.pool;

import dev.sluice.pool.internal.Statements;
import dev.sluice.pool.internal.TrackedConnection;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Result;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * Runs one transaction on a pooled connection: BEGIN with the isolation and access mode, the SET LOCAL values
 * in one round trip, the work, the commit check, COMMIT; ROLLBACK on error; on cancellation a server-side
 * cancel of the running statement, then ROLLBACK. The connection goes back to the pool outside any
 * transaction in every case ({@link TrackedConnection} rolls back whatever is left open before release).
 */
final class Transactions {

    private Transactions() {
    }

    /** One attempt: emits the work's values, collected, after the commit. */
    static <T> Mono<List<T>> attempt(PgPool pool, Mono<TrackedConnection> connection, TxOptions options,
                                     Function<? super Tx, ? extends Publisher<T>> work) {
        return Mono.usingWhen(connection,
                c -> {
                    Tx tx = new PooledTx(c, options, pool.name());
                    return started(c, options, pool.config(), Flux.defer(() -> work.apply(tx)))
                            .collectList()
                            .flatMap(values -> commitCheck(pool, tx, options)
                                    .then(Mono.from(c.commitTransaction()))
                                    .thenReturn(values));
                },
                TrackedConnection::close,
                (c, error) -> rollbackIfOpen(c).then(Mono.from(c.close())),
                TrackedConnection::cancelAndClose);
    }

    /**
     * The work after BEGIN. Without an agent, BEGIN is one simple query, and the work's first statement is sent right
     * behind it instead of a round trip later: the driver sends requests in order on the connection and matches the
     * replies in order, and the server runs them in order, so the statement runs inside the transaction. Nothing is
     * lost when BEGIN's query fails: that fails the work's statements too (a failed {@code SET LOCAL} leaves the
     * transaction aborted, a lost connection fails everything), and BEGIN's own error is the one reported. With an
     * agent, the application name is set by a statement of its own, which must come before the work: then the work
     * waits for BEGIN.
     */
    private static <T> Flux<T> started(Connection c, TxOptions options, PgPoolConfig pool, Flux<T> work) {
        if (options.agentId().isPresent()) {
            return begin(c, options, pool).thenMany(work);
        }
        Mono<Void> begun = begin(c, options, pool).cache();
        begun.subscribe(v -> { }, e -> { });
        return work.onErrorResume(e -> begun.then(Mono.error(e)))
                .concatWith(begun.then(Mono.empty()));
    }

    /**
     * BEGIN with the isolation and access mode, and the transaction's SET LOCAL values, as one simple query (several
     * statements, no parameters: every value is a number or a word the code chose), so it costs one round trip and no
     * statement preparation; the driver follows the transaction from the server's replies, so commit and rollback
     * behave as after its own BEGIN. An agent's application name is the caller's text, so it goes as a parameter of a
     * second statement.
     */
    private static Mono<Void> begin(Connection c, TxOptions options, PgPoolConfig pool) {
        Duration statementTimeout = options.statementTimeout().orElse(null);
        TxBoundary boundary = options.boundary().orElse(null);
        String agent = options.agentId().orElse(null);
        StringBuilder begin = new StringBuilder("BEGIN ISOLATION LEVEL ").append(options.isolation().r2dbc().asSql())
                .append(options.readOnly() ? ", READ ONLY" : "");
        if (statementTimeout != null) {
            begin.append("; SET LOCAL statement_timeout = ").append(statementTimeout.toMillis());
        }
        if (boundary != null) {
            begin.append("; SET LOCAL idle_in_transaction_session_timeout = ").append(boundary.idleInTransactionTimeout().toMillis())
                    .append("; SET LOCAL synchronous_commit = ").append(boundary.synchronousCommit());
        }
        Mono<Void> started = Flux.from(c.createStatement(begin.toString()).execute()).concatMap(Result::getRowsUpdated).then();
        if (agent == null) {
            return started;
        }
        String name = pool.applicationName() + "/" + agent;
        Object[] applicationName = {name.length() > 63 ? name.substring(0, 63) : name};
        return started.then(Statements.update(c, "SELECT set_config('application_name', $1, true)",
                applicationName)).then();
    }

    private static Mono<Void> commitCheck(PgPool pool, Tx tx, TxOptions options) {
        return options.commitCheck()
                .map(check -> Mono.defer(() -> check.veto(tx))
                        .flatMap(reason -> Mono.<Void>error(new TxVetoException(pool.name(), reason))))
                .orElse(Mono.empty());
    }

    static Mono<Void> rollbackIfOpen(Connection c) {
        return Mono.defer(() -> c.isAutoCommit() ? Mono.<Void>empty() : Mono.from(c.rollbackTransaction()))
                .onErrorResume(e -> Mono.empty());
    }
}
