package dev.sluice.pool;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Row;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.function.Function;
import java.util.function.Supplier;

/**
 * An open transaction, handed to the work of {@link PgPool#inTransaction(TxOptions, Function)} (and of
 * {@link AgentSession#inTransaction(TxOptions, Function)}, which counts its statements). Valid only while that
 * work runs. Every method returns a cold publisher that runs on the transaction's connection when subscribed.
 */
public interface Tx {

    /** The connection, for any R2DBC work inside the transaction. Do not commit, roll back or close it. */
    Connection connection();

    /** The options the transaction runs with. */
    TxOptions options();

    /**
     * Runs a query inside the transaction and maps each row. Cold; emits one value per row. A typed {@code NULL} is
     * passed as {@code Parameters.in(Integer.class)}.
     */
    <T> Flux<T> query(String sql, Function<? super Row, ? extends T> mapper, Object... params);

    /** Runs a statement inside the transaction. Cold; emits the rows changed. */
    Mono<Long> update(String sql, Object... params);

    /**
     * Creates a savepoint. Cold. Names: letters, digits and {@code _}, starting with a letter or {@code _}.
     *
     * @throws IllegalArgumentException (as an error signal) for any other name
     */
    Mono<Void> savepoint(String name);

    /** Rolls back to a savepoint: the writes after it are undone, the transaction goes on. Cold. */
    Mono<Void> rollbackTo(String name);

    /** Releases a savepoint, keeping its writes. Cold. */
    Mono<Void> release(String name);

    /**
     * Runs {@code work} under a savepoint: when it completes the savepoint is released; when it fails, the
     * transaction is rolled back to the savepoint (its writes undone, earlier ones kept) and the error is
     * passed on, so the caller may handle it and go on with the transaction. Cold; emits what the work emits.
     */
    default <T> Flux<T> withSavepoint(String name, Supplier<? extends Publisher<T>> work) {
        return savepoint(name)
                .thenMany(Flux.defer(work))
                .concatWith(release(name).then(Mono.empty()))
                .onErrorResume(error -> rollbackTo(name).then(Mono.error(error)));
    }
}
