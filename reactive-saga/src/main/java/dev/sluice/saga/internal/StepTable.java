package dev.sluice.saga.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.pool.PgPool;
import dev.sluice.pool.Tx;
import dev.sluice.saga.SagaLeaseLostException;
import io.r2dbc.spi.Row;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.UUID;

/**
 * The step table of the log (internal): one row per step of a saga with its {@link StepState}, pre-image, result
 * and error. Every write is fenced by the owner id and takes a key share lock on the saga's row
 * ({@link SagaTable#FENCE}), so a recovery claim ({@code FOR UPDATE SKIP LOCKED}) never interleaves with it, while
 * the lease renewal (which updates no key) never waits for it. A write or read outside a step's own transaction
 * comes after the saga's deferred records ({@link DeferredWrites#flush}).
 */
public final class StepTable {

    /** How a step start that meets the step's row (a repeated attempt) updates it. A template ({@code {step}}). */
    static final String STARTED_CONFLICT = """
            ON CONFLICT (saga_id, step_id) DO UPDATE SET state = 'STARTED', pre_image = EXCLUDED.pre_image, \
            attempts = {step}.attempts + 1, started_at = now(), error = NULL""";

    private static final String COLUMNS = "step_id, position, state, pre_image::text AS pre_image, result::text AS result, error";

    private static final String ALL = "SELECT " + COLUMNS + " FROM {step} WHERE saga_id = $1 ORDER BY position";

    private static final String ONE = "SELECT " + COLUMNS + " FROM {step} WHERE saga_id = $1 AND step_id = $2";

    private static final String FAILED = """
            UPDATE {step} SET state = 'FAILED', error = $4 WHERE saga_id = $1 AND step_id = $3 \
            AND state = 'STARTED' AND {fence}""";

    private static final String COMPENSATING = """
            UPDATE {step} SET state = 'COMPENSATING', result = $4::jsonb, \
            compensation_started_at = now() WHERE saga_id = $1 AND step_id = $3 AND {fence}""";

    private static final String COMPENSATED = """
            UPDATE {step} SET state = 'COMPENSATED', compensated_at = now(), error = NULL \
            WHERE saga_id = $1 AND step_id = $3 AND {fence}""";

    private static final String COMPENSATION_FAILED = """
            UPDATE {step} SET state = 'COMPENSATION_FAILED', error = $4 \
            WHERE saga_id = $1 AND step_id = $3 AND state <> 'COMPENSATED' AND {fence}""";

    private static final String DONE = """
            INSERT INTO {step} (saga_id, step_id, position, state, result, completed_at) \
            SELECT $1, $3, $4, 'COMPLETED', $5::jsonb, now() WHERE {fence} \
            ON CONFLICT (saga_id, step_id) DO UPDATE SET state = 'COMPLETED', result = EXCLUDED.result, \
            completed_at = now(), error = NULL""";

    private static final String ROLLED_BACK = """
            UPDATE {step} SET state = 'COMPENSATED', compensated_at = now() \
            WHERE saga_id = $1 AND step_id = $3 AND state <> 'COMPENSATED' AND {fence}""";

    /**
     * The statement of {@link #recordedIn}; {@code {record-fence}} is its first part. Its fence is the saga row's key
     * share lock; with {@code finish}, it is the update that ends the saga instead, which locks the row as well (more
     * strongly) and so spares a second write of the same row. Either way the owner check comes first and every other
     * part applies only behind it. When the step is not recorded (an earlier attempt recorded it), the caller rolls
     * the whole transaction back, the saga's end with it.
     */
    private static final String RECORD = """
            WITH fence AS ({record-fence}), \
            earlier AS (UPDATE {step} SET state = 'COMPLETED', result = $8::jsonb, completed_at = now(), error = NULL \
            WHERE saga_id = $1 AND step_id = $7 AND EXISTS (SELECT 1 FROM fence) RETURNING 1), \
            recorded AS (INSERT INTO {step} (saga_id, step_id, position, state, result, completed_at) \
            SELECT $1, $3, $4, 'COMPLETED', $5::jsonb, now() WHERE EXISTS (SELECT 1 FROM fence) \
            ON CONFLICT (saga_id, step_id) DO UPDATE SET state = 'COMPLETED', result = EXCLUDED.result, \
            attempts = {step}.attempts + 1, completed_at = now(), error = NULL \
            WHERE {step}.state IN ('STARTED', 'FAILED') RETURNING 1) \
            SELECT EXISTS (SELECT 1 FROM fence) AS owned, EXISTS (SELECT 1 FROM earlier) AS earlier, \
            EXISTS (SELECT 1 FROM recorded) AS recorded, $6::boolean AND EXISTS (SELECT 1 FROM recorded) AS finished""";
    private static final String RECORD_FENCE = "SELECT 1 FROM {saga} WHERE saga_id = $1 AND owner_id = $2 AND NOT $6::boolean FOR KEY SHARE";
    private static final String RECORD_FINISHING_FENCE = "UPDATE {saga} SET " + SagaTable.COMPLETED
            + " WHERE saga_id = $1 AND owner_id = $2 AND $6::boolean RETURNING 1";

    private final PgPool pool;
    private final DeferredWrites deferred;
    private final String all;
    private final String one;
    private final String failed;
    private final String compensating;
    private final String compensated;
    private final String compensationFailed;
    private final String done;
    private final String rolledBack;
    private final String record;
    private final String recordFinishing;

    /**
     * @param pool     the pool of the log's database
     * @param tables   the log's tables
     * @param deferred the log's deferred writes
     */
    public StepTable(PgPool pool, TableNames tables, DeferredWrites deferred) {
        this.pool = pool;
        this.deferred = deferred;
        this.all = tables.sql(ALL);
        this.one = tables.sql(ONE);
        this.failed = tables.sql(FAILED);
        this.compensating = tables.sql(COMPENSATING);
        this.compensated = tables.sql(COMPENSATED);
        this.compensationFailed = tables.sql(COMPENSATION_FAILED);
        this.done = tables.sql(DONE);
        this.rolledBack = tables.sql(ROLLED_BACK);
        this.record = tables.sql(RECORD.replace("{record-fence}", RECORD_FENCE));
        this.recordFinishing = tables.sql(RECORD.replace("{record-fence}", RECORD_FINISHING_FENCE));
    }

    /** Every step row of a saga, in position order. */
    public Flux<StepRecord> all(UUID sagaId) {
        return deferred.flush(sagaId).thenMany(pool.query(all, StepTable::row, sagaId));
    }

    /** One step row, empty when the step was never logged. */
    public Mono<StepRecord> read(UUID sagaId, String stepId) {
        return deferred.flush(sagaId).then(pool.queryOne(one, StepTable::row, sagaId, stepId));
    }

    /**
     * Logs a step as started, before its effect, with what it recorded first (may be null), together with the saga's
     * deferred records, in a group commit.
     */
    public Mono<Void> started(UUID sagaId, String owner, String stepId, int position, JsonNode preImage) {
        return deferred.submitWith(new LogWrite.StepStarted(sagaId, owner, stepId, position, preImage == null ? null : preImage.toString()));
    }

    /**
     * Logs a step's result after its effect. Deferred: the record goes with the saga's next log write (the next
     * step's start, or the end). Until then the step is logged as started, which recovery resolves from the stores
     * (a KV write is found by its message id and revision) as after a crash right after the effect.
     */
    public Mono<Void> completed(UUID sagaId, String owner, String stepId, JsonNode result) {
        return deferred.defer(new LogWrite.StepCompleted(sagaId, owner, stepId, result == null ? null : result.toString()));
    }

    /**
     * Inside the transaction of a SQL step's effect, after the effect, in one statement: the saga's deferred record of
     * an earlier step's result (see {@link DeferredWrites#flushUnlessCarried}), the step recorded as completed with
     * {@code result} unless the log already holds it as done (or compensating, compensated), and with {@code finish}
     * the saga as {@code COMPLETED}. Emits what it wrote when the step was recorded (the deferred record is dropped by
     * {@link DeferredWrites#committed} once the transaction commits, and stays deferred when it does not); emits
     * nothing when it was not, and then the transaction must roll back, so the effect is undone. Fails with
     * {@link SagaLeaseLostException} when {@code owner} no longer holds the saga. A second attempt running at the same
     * time waits for the first's row lock, then sees its outcome: the statement never takes effect twice.
     */
    public Mono<Recorded> recordedIn(Tx tx, UUID sagaId, String owner, String stepId, int position, JsonNode result,
                                     boolean finish) {
        return Mono.defer(() -> {
            List<LogWrite> before = deferred.pending(sagaId);
            LogWrite.StepCompleted earlier = DeferredWrites.carried(before);
            if (!before.isEmpty() && earlier == null) {
                return Mono.error(new IllegalStateException("saga " + sagaId + " has deferred log records a step's transaction "
                        + "cannot carry: " + before + "; flushUnlessCarried must come first"));
            }
            return tx.query(recordStatement(finish), row -> new RecordApplied(row.get("owned", Boolean.class), row.get("earlier", Boolean.class),
                                    row.get("recorded", Boolean.class), row.get("finished", Boolean.class)),
                            sagaId, owner, stepId, position, Json.param(result), finish,
                            Json.text(earlier == null ? null : earlier.stepId()), Json.text(earlier == null ? null : earlier.result()))
                    .next()
                    .flatMap(applied -> {
                        if (!applied.owned()) {
                            return Mono.error(new SagaLeaseLostException(sagaId, owner));
                        }
                        if (earlier != null && !applied.earlier()) {
                            return Mono.error(new IllegalStateException("step '" + earlier.stepId() + "' of saga " + sagaId
                                    + " has no started record in the saga log, so its result cannot be recorded"));
                        }
                        return applied.recorded() ? Mono.just(new Recorded(before, applied.finished())) : Mono.empty();
                    });
        });
    }

    /** The statement of {@link #recordedIn}, when the step ends the saga ({@code finish}) or not. */
    String recordStatement(boolean finish) {
        return finish ? recordFinishing : record;
    }

    /** Which parts of {@link #recordedIn}'s statement applied: the owner held the saga, and each write. */
    private record RecordApplied(boolean owned, boolean earlier, boolean recorded, boolean finished) {
    }

    /**
     * What {@link #recordedIn} wrote besides the step's record.
     *
     * @param deferred the saga's deferred records it carried
     * @param finished whether it recorded the saga as {@code COMPLETED}
     */
    public record Recorded(List<LogWrite> deferred, boolean finished) {
    }

    /** Logs a step's failure; a step already recorded as completed keeps that state. */
    public Mono<Void> failed(UUID sagaId, String owner, String stepId, String error) {
        return deferred.flush(sagaId).then(pool.update(failed, sagaId, owner, stepId, Json.text(error)).then());
    }

    /** Logs a step as being compensated, before the compensation's effect. */
    public Mono<Void> compensating(UUID sagaId, String owner, String stepId, JsonNode result) {
        return deferred.flush(sagaId).then(SagaTable.fenced(pool.update(compensating, sagaId, owner, stepId, Json.param(result)),
                sagaId, owner));
    }

    /** Logs a step as compensated, after the compensation's effect. */
    public Mono<Void> compensated(UUID sagaId, String owner, String stepId) {
        return deferred.flush(sagaId).then(SagaTable.fenced(pool.update(compensated, sagaId, owner, stepId), sagaId, owner));
    }

    /** Logs a step as compensated inside the transaction of the compensation's effect. */
    public Mono<Void> compensatedIn(Tx tx, UUID sagaId, String owner, String stepId) {
        return SagaTable.fenced(tx.update(compensated, sagaId, owner, stepId), sagaId, owner);
    }

    /** Logs a failed compensation of a step. */
    public Mono<Void> compensationFailed(UUID sagaId, String owner, String stepId, String error) {
        return deferred.flush(sagaId).then(SagaTable.fenced(pool.update(compensationFailed, sagaId, owner, stepId, Json.text(error)),
                sagaId, owner));
    }

    /** Logs a step as completed with {@code result} inside {@code tx}, creating its row when it has none. */
    public Mono<Void> doneIn(Tx tx, UUID sagaId, String owner, String stepId, int position, JsonNode result) {
        return SagaTable.fenced(tx.update(done, sagaId, owner, stepId, position, Json.param(result)), sagaId, owner);
    }

    /** Logs a completed step as compensated without running anything (its effect was rolled back). */
    public Mono<Void> rolledBack(UUID sagaId, String owner, String stepId) {
        return deferred.flush(sagaId).then(pool.update(rolledBack, sagaId, owner, stepId).then());
    }

    private static StepRecord row(Row row) {
        return new StepRecord(row.get("step_id", String.class), row.get("position", Integer.class),
                StepState.valueOf(row.get("state", String.class)), Json.parse(row.get("pre_image", String.class)),
                Json.parse(row.get("result", String.class)), row.get("error", String.class));
    }
}
