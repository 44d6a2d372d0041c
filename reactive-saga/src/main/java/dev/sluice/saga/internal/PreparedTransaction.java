package dev.sluice.saga.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.pool.PgPool;
import dev.sluice.pool.TxOptions;
import dev.sluice.saga.SagaContext;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * The PostgreSQL part of a two-phase saga (internal): its SQL steps in one transaction ended with
 * {@code PREPARE TRANSACTION '<gid>'}, and the later {@code COMMIT PREPARED} or {@code ROLLBACK PREPARED}. Each is
 * safe to repeat: ending a transaction first checks {@code pg_prepared_xacts}, so one already ended is left alone.
 */
public final class PreparedTransaction {

    private static final Pattern GID = Pattern.compile("[A-Za-z0-9_.:-]{1,200}");

    private final PgPool pool;
    private final String gid;

    /**
     * @param pool      the pool that ends the prepared transaction (the log's; it must reach the steps' database)
     * @param gidPrefix the log's global-id prefix
     * @param sagaId    the saga
     */
    public PreparedTransaction(PgPool pool, String gidPrefix, UUID sagaId) {
        this.pool = pool;
        this.gid = gidPrefix + sagaId;
        if (!GID.matcher(gid).matches()) {
            throw new IllegalArgumentException("prepared transaction id '" + gid + "' is not allowed");
        }
    }

    /** The global id. */
    public String gid() {
        return gid;
    }

    /** One SQL step of the prepared transaction: its id, position and statement. */
    public record Statement(String stepId, int position, SqlEffect effect) {
    }

    /**
     * Runs {@code statements} in order in one transaction on {@code pool} and prepares it; emits each step's result
     * (as completed step records, not yet logged), each also handed to {@code record} as soon as it is known, so later
     * statements can read it from the context. A failure rolls the transaction back and nothing is prepared.
     */
    public Mono<List<StepRecord>> prepare(PgPool pool, TxOptions options, SagaContext context, List<Statement> statements,
                                          BiConsumer<String, JsonNode> record) {
        return pool.inTransaction(options, tx -> Flux.fromIterable(statements)
                        .concatMap(statement -> statement.effect().executeIn(tx, context)
                                .map(result -> {
                                    record.accept(statement.stepId(), result);
                                    return new StepRecord(statement.stepId(), statement.position(), StepState.COMPLETED, null, result, null);
                                }))
                        .collectList()
                        .flatMap(done -> tx.update("PREPARE TRANSACTION '" + gid + "'").thenReturn(done)))
                .single();
    }

    /** Ends the prepared transaction with {@code COMMIT PREPARED} unless the server no longer holds it. */
    public Mono<Void> commit() {
        return end("COMMIT PREPARED");
    }

    /** Ends the prepared transaction with {@code ROLLBACK PREPARED} unless the server no longer holds it. */
    public Mono<Void> rollback() {
        return end("ROLLBACK PREPARED");
    }

    private Mono<Void> end(String command) {
        return end(pool, command, gid);
    }

    /** Ends the prepared transaction {@code gid} with {@code command} unless the server no longer holds it. */
    public static Mono<Void> end(PgPool pool, String command, String gid) {
        if (!GID.matcher(gid).matches()) {
            return Mono.error(new IllegalArgumentException("prepared transaction id '" + gid + "' is not allowed"));
        }
        return pool.queryOne("SELECT count(*) AS n FROM pg_prepared_xacts WHERE gid = $1 AND database = current_database()",
                        row -> row.get("n", Long.class) > 0, gid)
                .flatMap(held -> held ? pool.update(command + " '" + gid + "'").then() : Mono.empty());
    }
}
