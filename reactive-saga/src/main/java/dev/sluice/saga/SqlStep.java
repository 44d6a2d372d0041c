package dev.sluice.saga;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.pool.PgPool;
import dev.sluice.pool.TxBoundary;
import dev.sluice.pool.TxOptions;
import dev.sluice.saga.internal.SqlEffect;

import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Builds a SQL step (from {@link SagaStep#sql(String, PgPool)}): one statement run in a PostgreSQL transaction
 * together with the step's completion record, so it commits at most once whatever crashes; and a compensation
 * statement run the same way.
 *
 * <pre>{@code
 * SagaStep insert = SagaStep.sql("insert-order", pool)
 *         .query("INSERT INTO orders (customer, total) VALUES ($1, $2) RETURNING id",
 *                ctx -> new Object[] {ctx.input().get("customer").asText(), ctx.input().get("total").asLong()})
 *         .compensation("DELETE FROM orders WHERE id = $1")   // parameters: the returned row's values, in order
 *         .build();
 * }</pre>
 */
public final class SqlStep {

    private final String id;
    private final PgPool pool;
    private TxOptions options = TxOptions.builder().boundary(TxBoundary.DISTRIBUTED_SAGA).build();
    private String sql;
    private boolean returnsRows;
    private Function<SagaContext, Object[]> params;
    private String compensationSql;
    private BiFunction<SagaContext, JsonNode, Object[]> compensationParams;
    private boolean noCompensation;

    SqlStep(String id, PgPool pool) {
        this.id = id;
        this.pool = pool;
    }

    /**
     * The statement returns rows ({@code SELECT}, or {@code INSERT ... RETURNING}): the step's result is the row as a
     * JSON object (column name to value; types other than numbers, booleans and text as their text), or an array
     * when it returns other than one row.
     */
    public SqlStep query(String sql, Function<SagaContext, Object[]> params) {
        this.sql = Objects.requireNonNull(sql, "sql");
        this.params = Objects.requireNonNull(params, "params");
        this.returnsRows = true;
        return this;
    }

    /** The statement returns no rows: the step's result is {@code {"rowsUpdated": n}}. */
    public SqlStep update(String sql, Function<SagaContext, Object[]> params) {
        query(sql, params);
        this.returnsRows = false;
        return this;
    }

    /** The transaction's options (default: boundary {@link TxBoundary#DISTRIBUTED_SAGA}). */
    public SqlStep options(TxOptions options) {
        this.options = Objects.requireNonNull(options, "options");
        return this;
    }

    /** The compensation statement, whose parameters are the values of the recorded result row, in column order. */
    public SqlStep compensation(String sql) {
        this.compensationSql = Objects.requireNonNull(sql, "compensation sql");
        this.compensationParams = null;
        return this;
    }

    /** The compensation statement with parameters computed from the context and the recorded result. */
    public SqlStep compensation(String sql, BiFunction<SagaContext, JsonNode, Object[]> params) {
        this.compensationSql = Objects.requireNonNull(sql, "compensation sql");
        this.compensationParams = Objects.requireNonNull(params, "compensation params");
        return this;
    }

    /** Declares that the statement needs no compensation. */
    public SqlStep noCompensation() {
        this.noCompensation = true;
        return this;
    }

    /**
     * The step.
     *
     * @throws SagaDefinitionException when no statement was given, or both a compensation and
     *                                 {@link #noCompensation()}
     */
    public SagaStep build() {
        if (sql == null) {
            throw new SagaDefinitionException("SQL step '" + id + "' has no statement: call query(...) or update(...)");
        }
        if (noCompensation && compensationSql != null) {
            throw new SagaDefinitionException("SQL step '" + id + "' has a compensation and is declared noCompensation(); choose one");
        }
        SagaStep.Compensation declared = compensationSql != null ? SagaStep.Compensation.GIVEN
                : noCompensation ? SagaStep.Compensation.NONE : SagaStep.Compensation.MISSING;
        return SagaStep.create(id, new SqlEffect(pool, options, sql, returnsRows, params, compensationSql, compensationParams), declared);
    }
}
