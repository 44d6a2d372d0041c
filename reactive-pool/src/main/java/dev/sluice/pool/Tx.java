package dev.sluice.pool;

import dev.sluice.pool.internal.Statements;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Row;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * An open transaction, handed to the work of {@link PgPool#inTransaction(TxOptions, Function)}. Valid only
 * while that work runs. Every method returns a cold publisher that runs on the transaction's connection.
 */
public final class Tx {

    private static final Pattern SAVEPOINT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    private final Connection connection;
    private final TxOptions options;
    private final String pool;
    private final int statementLimit;
    private final String limitOwner;
    private final AtomicInteger statements = new AtomicInteger();

    Tx(Connection connection, TxOptions options, String pool, int statementLimit, String limitOwner) {
        this.connection = connection;
        this.options = options;
        this.pool = pool;
        this.statementLimit = statementLimit;
        this.limitOwner = limitOwner;
    }

    /** The connection, for any R2DBC work inside the transaction. Do not commit, roll back or close it. */
    public Connection connection() {
        return connection;
    }

    /** The options the transaction runs with. */
    public TxOptions options() {
        return options;
    }

    /** Statements run through this object's helpers so far. */
    public int statementCount() {
        return statements.get();
    }

    /** Runs a query inside the transaction and maps each row. Cold. */
    public <T> Flux<T> query(String sql, Function<? super Row, ? extends T> mapper, Object... params) {
        return Flux.defer(() -> counted().thenMany(Statements.query(connection, sql, params, mapper)));
    }

    /** Runs a statement inside the transaction. Cold; emits the rows changed. */
    public Mono<Long> update(String sql, Object... params) {
        return Mono.defer(() -> counted().then(Statements.update(connection, sql, params)));
    }

    /** Creates a savepoint. Cold. Names: letters, digits and {@code _}, starting with a letter or {@code _}. */
    public Mono<Void> savepoint(String name) {
        return Mono.defer(() -> Mono.from(connection.createSavepoint(checked(name))));
    }

    /** Rolls back to a savepoint: the writes after it are undone, the transaction goes on. Cold. */
    public Mono<Void> rollbackTo(String name) {
        return Mono.defer(() -> Mono.from(connection.rollbackTransactionToSavepoint(checked(name))));
    }

    /** Releases a savepoint, keeping its writes. Cold. */
    public Mono<Void> release(String name) {
        return Mono.defer(() -> Mono.from(connection.releaseSavepoint(checked(name))));
    }

    /**
     * Runs {@code work} under a savepoint: when it completes the savepoint is released; when it fails, the
     * transaction is rolled back to the savepoint (its writes undone, earlier ones kept) and the error is
     * passed on, so the caller may handle it and go on with the transaction. Cold; emits what the work emits.
     */
    public <T> Flux<T> withSavepoint(String name, Supplier<? extends Publisher<T>> work) {
        return savepoint(name)
                .thenMany(Flux.defer(work))
                .concatWith(release(name).then(Mono.empty()))
                .onErrorResume(error -> rollbackTo(name).then(Mono.error(error)));
    }

    private Mono<Void> counted() {
        int count = statements.incrementAndGet();
        if (statementLimit > 0 && count > statementLimit) {
            return Mono.error(new SessionLimitException(limitOwner, "maxStatementsPerTransaction", statementLimit, count));
        }
        return Mono.empty();
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
