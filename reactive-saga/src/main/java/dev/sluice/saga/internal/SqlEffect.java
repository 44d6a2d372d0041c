package dev.sluice.saga.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.pool.PgPool;
import dev.sluice.pool.Tx;
import dev.sluice.pool.TxOptions;
import dev.sluice.saga.SagaContext;
import dev.sluice.saga.SagaLeaseLostException;
import io.r2dbc.spi.ColumnMetadata;
import io.r2dbc.spi.Row;
import reactor.core.publisher.Mono;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * SQL statements as a saga step (internal). The statement and the step's completion record commit in one
 * PostgreSQL transaction, so a replay reads the log and never runs a committed statement twice; likewise the
 * compensation SQL and the compensated record.
 */
public final class SqlEffect implements StepEffect {

    private final PgPool pool;
    private final TxOptions options;
    private final String sql;
    private final boolean returnsRows;
    private final Function<SagaContext, Object[]> params;
    private final String compensationSql;
    private final BiFunction<SagaContext, JsonNode, Object[]> compensationParams;

    /**
     * @param pool               the pool the statement runs on (its database must hold the saga log)
     * @param options            the transaction's options
     * @param sql                the statement
     * @param returnsRows        whether it returns rows ({@code SELECT} or {@code RETURNING}): they are the result;
     *                           otherwise the result is {@code {"rowsUpdated": n}}
     * @param params             its parameters from the context
     * @param compensationSql    the compensation statement, or null when there is nothing to undo
     * @param compensationParams its parameters from the context and the recorded result, or null for the result's
     *                           values in column order
     */
    public SqlEffect(PgPool pool, TxOptions options, String sql, boolean returnsRows, Function<SagaContext, Object[]> params,
                     String compensationSql, BiFunction<SagaContext, JsonNode, Object[]> compensationParams) {
        this.pool = pool;
        this.options = options;
        this.sql = sql;
        this.returnsRows = returnsRows;
        this.params = params;
        this.compensationSql = compensationSql;
        this.compensationParams = compensationParams;
    }

    /** The pool the statement runs on. */
    public PgPool pool() {
        return pool;
    }

    /** The transaction's options. */
    public TxOptions options() {
        return options;
    }

    /** Runs the statement inside {@code tx} (another step's transaction) and emits its result; logs nothing. */
    public Mono<JsonNode> executeIn(Tx tx, SagaContext context) {
        return Mono.defer(() -> execute(tx, params.apply(context)));
    }

    @Override
    public Mono<JsonNode> run(StepCall call) {
        return Mono.defer(() -> {
            Mono<Optional<JsonNode>> earlier = call.logged() != null ? reconcile(call) : Mono.just(Optional.empty());
            return earlier.flatMap(found -> found.isPresent() ? Mono.just(found.get()) : attempt(call));
        });
    }

    /**
     * The saga's deferred log records first when the step's record cannot carry them (its own record must exist),
     * then one transaction: the statement, then one log statement with the earlier step's deferred result, the
     * step's completion record and, for a last step, the saga's end. The record is refused when the log already holds
     * the step as done: then the transaction rolls back, so the statement never takes effect twice, and the logged
     * result is taken instead.
     */
    private Mono<JsonNode> attempt(StepCall call) {
        return call.flush().then(pool.inTransaction(options, tx -> execute(tx, params.apply(call.context()))
                        .flatMap(result -> call.recordedIn(tx, result).flatMap(recorded -> recorded
                                ? Mono.just(result) : Mono.<JsonNode>error(new AlreadyLogged()))))
                        .single())
                .doOnNext(call::markCompleted)
                .onErrorResume(AlreadyLogged.class, refused -> reconcile(call).flatMap(found -> found.isPresent()
                        ? Mono.just(found.get())
                        : Mono.error(new SagaLeaseLostException(call.sagaId(), call.owner()))));
    }

    /** The log refused the step's completion record: the step is done already, or the saga has another owner. */
    private static final class AlreadyLogged extends RuntimeException {
        AlreadyLogged() {
            super(null, null, false, false);
        }
    }

    private Mono<JsonNode> execute(Tx tx, Object[] values) {
        if (!returnsRows) {
            return tx.update(sql, values).map(rows -> (JsonNode) Json.MAPPER.createObjectNode().put("rowsUpdated", rows));
        }
        return tx.query(sql, SqlEffect::rowJson, values).collectList().map(rows -> {
            if (rows.size() == 1) {
                return rows.get(0);
            }
            ArrayNode array = Json.MAPPER.createArrayNode();
            rows.forEach(array::add);
            return array;
        });
    }

    @Override
    public Mono<Optional<JsonNode>> reconcile(StepCall call) {
        return call.reload()
                .map(row -> row.state() == StepState.COMPLETED || row.state().needsCompensation() || row.state() == StepState.COMPENSATED
                        ? Optional.of(row.result()) : Optional.<JsonNode>empty())
                .defaultIfEmpty(Optional.empty());
    }

    @Override
    public Mono<Void> compensate(StepCall call, JsonNode result) {
        if (compensationSql == null) {
            return Mono.empty();
        }
        return call.reload().filter(row -> row.state() == StepState.COMPENSATED).hasElement().flatMap(done -> done ? Mono.empty()
                : call.compensating(result).then(pool.inTransaction(options, tx -> tx.update(compensationSql, compensationValues(call, result))
                        .then(call.compensatedIn(tx))).then()));
    }

    private Object[] compensationValues(StepCall call, JsonNode result) {
        if (compensationParams != null) {
            return compensationParams.apply(call.context(), result);
        }
        List<Object> values = new ArrayList<>();
        if (result.isObject()) {
            for (Iterator<JsonNode> it = result.elements(); it.hasNext(); ) {
                values.add(param(it.next()));
            }
        }
        return values.toArray();
    }

    /** A JSON value as a statement parameter: numbers as {@code long} or {@code BigDecimal}, text, booleans, typed nulls. */
    public static Object param(JsonNode node) {
        if (node == null || node.isNull()) {
            return Json.text(null);
        }
        if (node.isIntegralNumber()) {
            return node.asLong();
        }
        if (node.isNumber()) {
            return new BigDecimal(node.asText());
        }
        if (node.isBoolean()) {
            return node.asBoolean();
        }
        return node.isTextual() ? node.asText() : node.toString();
    }

    private static JsonNode rowJson(Row row) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        List<? extends ColumnMetadata> columns = row.getMetadata().getColumnMetadatas();
        for (int i = 0; i < columns.size(); i++) {
            Object value = row.get(i);
            String name = columns.get(i).getName();
            if (value == null) {
                node.putNull(name);
            } else if (value instanceof Number || value instanceof Boolean || value instanceof String) {
                node.set(name, Json.tree(value));
            } else {
                node.put(name, value.toString());
            }
        }
        return node;
    }

    @Override
    public boolean compensable() {
        return compensationSql != null;
    }
}
