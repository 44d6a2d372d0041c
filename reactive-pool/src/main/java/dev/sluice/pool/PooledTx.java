package dev.sluice.pool;

import dev.sluice.pool.internal.Statements;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Row;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.function.Function;
import java.util.regex.Pattern;

/** The transaction a pool hands to its work: statements on the transaction's connection. */
final class PooledTx implements Tx {

    private static final Pattern SAVEPOINT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    private final Connection connection;
    private final TxOptions options;
    private final String pool;

    PooledTx(Connection connection, TxOptions options, String pool) {
        this.connection = connection;
        this.options = options;
        this.pool = pool;
    }

    @Override
    public Connection connection() {
        return connection;
    }

    @Override
    public TxOptions options() {
        return options;
    }

    @Override
    public <T> Flux<T> query(String sql, Function<? super Row, ? extends T> mapper, Object... params) {
        return Flux.defer(() -> Statements.query(connection, sql, params, mapper));
    }

    @Override
    public Mono<Long> update(String sql, Object... params) {
        return Mono.defer(() -> Statements.update(connection, sql, params));
    }

    @Override
    public Mono<Void> savepoint(String name) {
        return Mono.defer(() -> Mono.from(connection.createSavepoint(checked(name))));
    }

    @Override
    public Mono<Void> rollbackTo(String name) {
        return Mono.defer(() -> Mono.from(connection.rollbackTransactionToSavepoint(checked(name))));
    }

    @Override
    public Mono<Void> release(String name) {
        return Mono.defer(() -> Mono.from(connection.releaseSavepoint(checked(name))));
    }

    private static String checked(String name) {
        if (name == null || !SAVEPOINT.matcher(name).matches()) {
            throw new IllegalArgumentException("savepoint name '" + name + "' must be letters, digits and '_' (at most 63), "
                    + "starting with a letter or '_'");
        }
        return name;
    }

    @Override
    public String toString() {
        return "Tx[pool " + pool + " " + options + "]";
    }
}
