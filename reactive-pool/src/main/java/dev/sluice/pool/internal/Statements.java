package dev.sluice.pool.internal;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Parameter;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Row;
import io.r2dbc.spi.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/** The statement plumbing behind the pool's query helpers: binding, mapping, slow-statement logging. */
public final class Statements {

    private static final Logger LOG = LoggerFactory.getLogger("dev.sluice.pool.SlowQuery");
    private static final int LOGGED_SQL_LENGTH = 300;

    private Statements() {
    }

    /**
     * Binds positional parameters {@code $1, $2, ...}. A {@code null} cannot carry its type: pass
     * {@code io.r2dbc.spi.Parameters.in(Integer.class)} (or another type) for a typed null.
     *
     * @throws IllegalArgumentException naming the position of a bare {@code null}
     */
    public static Statement bind(Statement statement, Object[] params) {
        for (int i = 0; i < params.length; i++) {
            Object value = params[i];
            if (value == null) {
                throw new IllegalArgumentException("parameter $" + (i + 1) + " is null: pass Parameters.in(<type>.class) "
                        + "for a typed NULL, such as Parameters.in(Integer.class)");
            }
            if (value instanceof Parameter parameter) {
                statement.bind(i, parameter);
            } else {
                statement.bind(i, value);
            }
        }
        return statement;
    }

    /** Runs one statement and maps every row. */
    public static <T> Flux<T> query(Connection connection, String sql, Object[] params, Function<? super Row, ? extends T> mapper) {
        return Flux.from(bind(connection.createStatement(sql), params).execute())
                .concatMap(result -> result.map((row, metadata) -> {
                    T value = mapper.apply(row);
                    if (value == null) {
                        throw new IllegalArgumentException("the row mapper returned null (Reactor streams cannot carry null); "
                                + "map to Optional or a sentinel value instead; statement: " + sql);
                    }
                    return value;
                }));
    }

    /** Runs one statement and sums the rows it changed. */
    public static Mono<Long> update(Connection connection, String sql, Object[] params) {
        return Flux.from(bind(connection.createStatement(sql), params).execute())
                .concatMap(Result::getRowsUpdated)
                .reduce(0L, Long::sum);
    }

    /** Runs several statements as one batch (one round trip); emits each statement's changed-row count. */
    public static Flux<Long> batch(Connection connection, List<String> statements) {
        var batch = connection.createBatch();
        statements.forEach(batch::add);
        return Flux.from(batch.execute()).concatMap(Result::getRowsUpdated);
    }

    /** Runs one statement once per parameter set, pipelined by the driver; emits each run's changed-row count. */
    public static Flux<Long> batch(Connection connection, String sql, List<Object[]> parameterSets) {
        if (parameterSets.isEmpty()) {
            return Flux.empty();
        }
        Statement statement = connection.createStatement(sql);
        for (int i = 0; i < parameterSets.size(); i++) {
            if (i > 0) {
                statement.add();
            }
            bind(statement, parameterSets.get(i));
        }
        return Flux.from(statement.execute()).concatMap(Result::getRowsUpdated);
    }

    /**
     * Runs {@code EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)} of a statement inside a transaction that is always
     * rolled back, so explaining a write changes nothing. Emits the plan as JSON text.
     */
    public static Mono<String> explain(Connection connection, String sql, Object[] params) {
        Mono<String> plan = query(connection, "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params, row -> row.get(0, String.class))
                .collectList()
                .map(lines -> String.join("\n", lines));
        Mono<Void> rollback = Mono.from(connection.rollbackTransaction());
        return Mono.from(connection.beginTransaction())
                .then(plan)
                .flatMap(json -> rollback.thenReturn(json))
                .onErrorResume(error -> rollback.onErrorResume(e -> Mono.empty()).then(Mono.error(error)));
    }

    /**
     * Logs the statement when it takes longer than {@code threshold} from subscription to its end. Applied
     * to the statement on its connection, so the wait for a connection never counts as a slow statement.
     */
    public static <T> Flux<T> logIfSlow(Flux<T> work, String pool, String sql, Duration threshold) {
        return Flux.defer(() -> {
            long start = System.nanoTime();
            return work.doFinally(signal -> {
                long nanos = System.nanoTime() - start;
                if (nanos > threshold.toNanos() && LOG.isWarnEnabled()) {
                    LOG.warn("pool '{}': slow statement ({} ms, threshold {} ms): {}", pool, nanos / 1_000_000,
                            threshold.toMillis(), sql.length() <= LOGGED_SQL_LENGTH ? sql : sql.substring(0, LOGGED_SQL_LENGTH) + "...");
                }
            });
        });
    }
}
