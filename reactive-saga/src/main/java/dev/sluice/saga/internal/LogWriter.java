package dev.sluice.saga.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.pool.PgPool;
import dev.sluice.pool.Tx;
import dev.sluice.pool.internal.Statements;
import dev.sluice.saga.SagaLeaseLostException;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Row;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Every statement of the saga log (internal). Writes about a running saga are fenced by its owner id: a write by
 * an instance that no longer owns the saga changes nothing and fails with {@link SagaLeaseLostException}. Step
 * writes take a key share lock on the saga's row, so a recovery claim ({@code FOR UPDATE SKIP LOCKED}) never
 * interleaves with them, while the lease renewal (which updates no key) never waits for them. The statements that
 * update several saga rows (the renewal, a group commit's completions) lock them in id order, so they never
 * deadlock with each other.
 */
public final class LogWriter {

    private static final String SAGA_COLUMNS = "saga_id, name, version, correlation_id, input::text AS input, state, reason, recoveries";
    private static final String STEP_COLUMNS = "step_id, position, state, pre_image::text AS pre_image, result::text AS result, error";
    /** The assignments that record a saga as {@code COMPLETED} (the group statement's finishes, a last SQL step's record). */
    private static final String COMPLETED_SAGA = "state = 'COMPLETED', reason = NULL, errors = '[]'::jsonb, lease_until = NULL, "
            + "updated_at = now(), finished_at = now()";

    private final PgPool pool;
    private final String saga;
    private final String step;
    private final String intervention;
    private final String prepared;
    private final String outbox;
    private final GroupCommit group;
    private final Map<UUID, List<LogWrite>> deferred = new ConcurrentHashMap<>();
    /** The group statement for each combination of kinds of writes (see {@link #groupSql(int)}); none for 0. */
    private final String[] groupSql = new String[16];
    private final String recordSql;
    private final String recordFinishingSql;
    private final String purgeSql;

    /**
     * @param pool   the pool of the log's database
     * @param schema the schema
     * @param prefix the table prefix
     */
    public LogWriter(PgPool pool, String schema, String prefix) {
        this.pool = pool;
        this.saga = schema + "." + prefix + "saga";
        this.step = schema + "." + prefix + "saga_step";
        this.intervention = schema + "." + prefix + "saga_intervention";
        this.prepared = schema + "." + prefix + "saga_prepared";
        this.outbox = schema + "." + prefix + "saga_outbox";
        for (int kinds = 1; kinds < groupSql.length; kinds++) {
            groupSql[kinds] = groupSql(kinds);
        }
        this.recordSql = recordSql(false);
        this.recordFinishingSql = recordSql(true);
        this.purgeSql = purgeSql();
        this.group = new GroupCommit(this, Math.max(1, Math.min(2, pool.config().maxConnections() / 8)));
    }

    /** The pool of the log's database. */
    public PgPool pool() {
        return pool;
    }

    /**
     * The fence of a write about saga {@code $1} by owner {@code $2}: true while {@code $2} owns the saga, and a key
     * share lock on the saga's row until the transaction ends. That lock holds off a recovery claim
     * ({@code FOR UPDATE SKIP LOCKED} skips the row) but not the lease renewal, which changes no key.
     */
    private String fence() {
        return "EXISTS (SELECT 1 FROM " + saga + " o WHERE o.saga_id = $1 AND o.owner_id = $2 FOR KEY SHARE)";
    }

    private String owned() {
        return " AND " + fence();
    }

    private static Mono<Void> fenced(Mono<Long> update, UUID sagaId, String owner) {
        return update.flatMap(rows -> rows == 0 ? Mono.error(new SagaLeaseLostException(sagaId, owner)) : Mono.empty());
    }

    /**
     * Logs a new saga owned by {@code owner} with a lease of {@code lease}. Deferred: the record goes with the saga's
     * next log write, which always comes before its first effect (see {@link #flush}).
     */
    public Mono<Void> insertSaga(UUID sagaId, String name, int version, String correlationId, JsonNode input, String owner,
                                 Duration lease) {
        return defer(new LogWrite.SagaInserted(sagaId, name, version, correlationId, input.toString(), owner, lease.toMillis()));
    }

    /**
     * Logs a step as started, before its effect, with what it recorded first (may be null), together with the saga's
     * deferred records, in a group commit.
     */
    public Mono<Void> stepStarted(UUID sagaId, String owner, String stepId, int position, JsonNode preImage) {
        return submitWithDeferred(new LogWrite.StepStarted(sagaId, owner, stepId, position, preImage == null ? null : preImage.toString()));
    }

    /**
     * Logs a step's result after its effect. Deferred: the record goes with the saga's next log write (the next
     * step's start, or the end). Until then the step is logged as started, which recovery resolves from the stores
     * (a KV write is found by its message id and revision) as after a crash right after the effect.
     */
    public Mono<Void> stepCompleted(UUID sagaId, String owner, String stepId, JsonNode result) {
        return defer(new LogWrite.StepCompleted(sagaId, owner, stepId, result == null ? null : result.toString()));
    }

    /**
     * Writes the saga's deferred records now (a group commit), if it has any. Every other write about the saga, and
     * every read of its steps, does this first; so does a step before a transaction of its own.
     */
    public Mono<Void> flush(UUID sagaId) {
        return Mono.defer(() -> {
            List<LogWrite> before = deferred.remove(sagaId);
            return before == null ? Mono.empty() : group.submit(LogWrite.Several.of(before));
        });
    }

    /** Drops the deferred records of a saga whose run ended (on an error, they are left for recovery to find). */
    public void forget(UUID sagaId) {
        deferred.remove(sagaId);
    }

    private Mono<Void> defer(LogWrite write) {
        return Mono.fromRunnable(() -> deferred.merge(write.sagaId(), List.of(write), LogWriter::concat));
    }

    private Mono<Void> submitWithDeferred(LogWrite write) {
        return Mono.defer(() -> {
            List<LogWrite> before = deferred.remove(write.sagaId());
            return group.submit(before == null ? write : LogWrite.Several.of(concat(before, List.of(write))));
        });
    }

    private static List<LogWrite> concat(List<LogWrite> first, List<LogWrite> then) {
        List<LogWrite> all = new ArrayList<>(first);
        all.addAll(then);
        return List.copyOf(all);
    }

    /**
     * Applies writes of one or more sagas in one statement, so one round trip and one commit: new sagas are
     * inserted; the other writes are fenced (their saga's row is locked with a key share lock, and the write applies
     * only where its owner still owns the saga); completed sagas lock their rows in id order, so this never
     * deadlocks with the lease renewal. Emits, after the commit, the writes that were refused with their error (a
     * lost lease, a missing step row); the others are committed.
     */
    Mono<Map<LogWrite, Throwable>> write(Connection connection, List<LogWrite> writes) {
        List<LogWrite> parts = writes.stream().flatMap(write -> write.parts().stream()).toList();
        List<LogWrite.SagaInserted> inserted = only(parts, LogWrite.SagaInserted.class);
        List<LogWrite.StepStarted> started = only(parts, LogWrite.StepStarted.class);
        List<LogWrite.StepCompleted> completed = only(parts, LogWrite.StepCompleted.class);
        List<LogWrite.SagaCompleted> finished = only(parts, LogWrite.SagaCompleted.class);
        UUID[] fenced = Stream.concat(started.stream(), completed.stream()).map(LogWrite::sagaId).distinct().toArray(UUID[]::new);
        int kinds = (inserted.isEmpty() ? 0 : INSERTS) | (started.isEmpty() ? 0 : STARTS) | (completed.isEmpty() ? 0 : COMPLETES)
                | (finished.isEmpty() ? 0 : FINISHES);
        List<Object> params = new ArrayList<>();
        if (!inserted.isEmpty()) {
            params.addAll(List.of(column(inserted, UUID.class, LogWrite::sagaId), column(inserted, String.class, LogWrite.SagaInserted::name),
                    column(inserted, Integer.class, LogWrite.SagaInserted::version),
                    column(inserted, String.class, LogWrite.SagaInserted::correlationId),
                    column(inserted, String.class, LogWrite.SagaInserted::input), column(inserted, String.class, LogWrite::owner),
                    column(inserted, Long.class, LogWrite.SagaInserted::leaseMillis)));
        }
        if (fenced.length > 0) {
            params.add(fenced);
        }
        if (!started.isEmpty()) {
            params.addAll(List.of(column(started, UUID.class, LogWrite::sagaId), column(started, String.class, LogWrite.StepStarted::stepId),
                    column(started, Integer.class, LogWrite.StepStarted::position),
                    column(started, String.class, LogWrite.StepStarted::preImage), column(started, String.class, LogWrite::owner)));
        }
        if (!completed.isEmpty()) {
            params.addAll(List.of(column(completed, UUID.class, LogWrite::sagaId), column(completed, String.class, LogWrite.StepCompleted::stepId),
                    column(completed, String.class, LogWrite.StepCompleted::result), column(completed, String.class, LogWrite::owner)));
        }
        if (!finished.isEmpty()) {
            params.addAll(List.of(column(finished, UUID.class, LogWrite::sagaId), column(finished, String.class, LogWrite::owner)));
        }
        return Statements.query(connection, groupSql[kinds], params.toArray(), row -> row.get("kind", String.class) + ":" + row.get("saga_id", UUID.class)
                        + "/" + Objects.toString(row.get("detail", String.class), ""))
                .collect(Collectors.toSet())
                .map(applied -> {
                    Map<LogWrite, Throwable> refused = new IdentityHashMap<>();
                    for (LogWrite write : writes) {
                        for (LogWrite part : write.parts()) {
                            Throwable error = refusal(part, applied);
                            if (error != null) {
                                refused.put(write, error);
                                break;
                            }
                        }
                    }
                    return refused;
                });
    }

    /** Why the group statement did not apply {@code part}, or null when it did. */
    private static Throwable refusal(LogWrite part, Set<String> applied) {
        if (applied.contains(part.tag() + ":" + part.row())) {
            return null;
        }
        boolean owned = applied.contains("O:" + part.sagaId() + "/" + part.owner());
        return owned && part instanceof LogWrite.StepCompleted step
                ? new IllegalStateException("step '" + step.stepId() + "' of saga " + step.sagaId()
                        + " has no started record in the saga log, so its result cannot be recorded")
                : new SagaLeaseLostException(part.sagaId(), part.owner());
    }

    private String startedConflict() {
        return "ON CONFLICT (saga_id, step_id) DO UPDATE SET state = 'STARTED', pre_image = EXCLUDED.pre_image, "
                + "attempts = " + step + ".attempts + 1, started_at = now(), error = NULL";
    }

    /** The group statement for a batch holding writes of every kind (see {@link #write}). */
    String groupStatement() {
        return groupSql[INSERTS | STARTS | COMPLETES | FINISHES];
    }

    /** A kind of write of the group statement, as a bit of {@link #groupSql(int)}'s argument. */
    private static final int INSERTS = 1;
    private static final int STARTS = 2;
    private static final int COMPLETES = 4;
    private static final int FINISHES = 8;

    /**
     * The group statement for a batch holding the given kinds of writes (bits): only their parts, so that no part
     * runs on empty arrays. Its parameters are the arrays of each kind present, in the order inserts (7), the fenced
     * sagas (1, with starts or completions), starts (5), completions (4), finishes (2).
     */
    private String groupSql(int kinds) {
        int[] next = {0};
        Function<String, String> param = type -> "$" + (++next[0]) + "::" + type + "[]";
        List<String> parts = new ArrayList<>();
        List<String> applied = new ArrayList<>();
        boolean fenced = (kinds & (STARTS | COMPLETES)) != 0;
        if ((kinds & INSERTS) != 0) {
            parts.add("inserted AS (INSERT INTO " + saga + " (saga_id, name, version, correlation_id, input, state, owner_id, lease_until) "
                    + "SELECT u.saga_id, u.name, u.version, u.correlation_id, u.input::jsonb, 'RUNNING', u.owner_id, "
                    + "now() + u.lease * interval '1 millisecond' FROM unnest(" + param.apply("uuid") + ", " + param.apply("text") + ", "
                    + param.apply("int") + ", " + param.apply("text") + ", " + param.apply("text") + ", " + param.apply("text") + ", "
                    + param.apply("bigint") + ") AS u(saga_id, name, version, correlation_id, input, owner_id, lease) RETURNING saga_id, owner_id)");
            applied.add("SELECT 'I' AS kind, saga_id, NULL AS detail FROM inserted");
        }
        if (fenced) {
            parts.add("fence AS (SELECT o.saga_id, o.owner_id FROM unnest(" + param.apply("uuid") + ") AS u(saga_id) CROSS JOIN LATERAL "
                    + "(SELECT saga_id, owner_id FROM " + saga + " x WHERE x.saga_id = u.saga_id FOR KEY SHARE) o)");
            parts.add("owners AS (SELECT saga_id, owner_id FROM fence" + ((kinds & INSERTS) != 0
                    ? " UNION ALL SELECT saga_id, owner_id FROM inserted)" : ")"));
            applied.add("SELECT 'O' AS kind, saga_id, owner_id AS detail FROM owners");
        }
        if ((kinds & STARTS) != 0) {
            parts.add("started AS (INSERT INTO " + step + " (saga_id, step_id, position, state, pre_image) "
                    + "SELECT u.saga_id, u.step_id, u.position, 'STARTED', u.pre_image::jsonb FROM unnest(" + param.apply("uuid") + ", "
                    + param.apply("text") + ", " + param.apply("int") + ", " + param.apply("text") + ", " + param.apply("text") + ") "
                    + "AS u(saga_id, step_id, position, pre_image, owner_id) JOIN owners f ON f.saga_id = u.saga_id AND f.owner_id = u.owner_id "
                    + startedConflict() + " RETURNING saga_id, step_id)");
            applied.add("SELECT 'S' AS kind, saga_id, step_id AS detail FROM started");
        }
        if ((kinds & COMPLETES) != 0) {
            parts.add("completed AS (INSERT INTO " + step + " (saga_id, step_id, position, state, result, completed_at) "
                    + "SELECT u.saga_id, u.step_id, x.position, 'COMPLETED', u.result::jsonb, now() FROM unnest(" + param.apply("uuid") + ", "
                    + param.apply("text") + ", " + param.apply("text") + ", " + param.apply("text") + ") AS u(saga_id, step_id, result, owner_id) "
                    + "JOIN owners f ON f.saga_id = u.saga_id AND f.owner_id = u.owner_id CROSS JOIN LATERAL (SELECT position FROM " + step
                    + " x WHERE x.saga_id = u.saga_id AND x.step_id = u.step_id) x ON CONFLICT (saga_id, step_id) DO UPDATE SET "
                    + "state = 'COMPLETED', result = EXCLUDED.result, completed_at = now(), error = NULL RETURNING saga_id, step_id)");
            applied.add("SELECT 'C' AS kind, saga_id, step_id AS detail FROM completed");
        }
        if ((kinds & FINISHES) != 0) {
            parts.add("done AS (" + lockedInOrder("unnest(" + param.apply("uuid") + ", " + param.apply("text") + ") AS u(saga_id, owner_id)",
                    "x.owner_id = u.owner_id") + ")");
            parts.add("finished AS (" + updatedByKey("done", COMPLETED_SAGA) + " RETURNING saga_id)");
            applied.add("SELECT 'F' AS kind, saga_id, NULL AS detail FROM finished");
        }
        return "WITH " + String.join(", ", parts) + " " + String.join(" UNION ALL ", applied);
    }

    private static <W extends LogWrite> List<W> only(List<? extends LogWrite> writes, Class<W> kind) {
        return writes.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    @SuppressWarnings("unchecked")
    private static <W, T> T[] column(List<W> writes, Class<T> type, Function<? super W, ? extends T> field) {
        T[] values = (T[]) java.lang.reflect.Array.newInstance(type, writes.size());
        for (int i = 0; i < values.length; i++) {
            values[i] = field.apply(writes.get(i));
        }
        return values;
    }

    /**
     * Before the transaction of a SQL step: writes the saga's deferred records now (a group commit) unless
     * {@link #stepRecordedIn} can carry them, which it can when they are one step's result.
     */
    public Mono<Void> flushBeforeRecord(UUID sagaId) {
        return Mono.defer(() -> {
            List<LogWrite> before = deferred.get(sagaId);
            return before == null || carried(before) != null ? Mono.empty() : flush(sagaId);
        });
    }

    /**
     * Inside the transaction of a SQL step's effect, after the effect, in one statement: the saga's deferred record of
     * an earlier step's result (see {@link #flushBeforeRecord}), the step recorded as completed with {@code result}
     * unless the log already holds it as done (or compensating, compensated), and with {@code finish} the saga as
     * {@code COMPLETED}. Emits what it wrote when the step was recorded (the deferred record is dropped by
     * {@link #committed} once the transaction commits, and stays deferred when it does not); emits nothing when it
     * was not, and then the transaction must roll back, so the effect is undone. Fails with
     * {@link SagaLeaseLostException} when {@code owner} no longer holds the saga. A second attempt running at the same
     * time waits for the first's row lock, then sees its outcome: the statement never takes effect twice.
     */
    public Mono<Recorded> stepRecordedIn(Tx tx, UUID sagaId, String owner, String stepId, int position, JsonNode result,
                                         boolean finish) {
        return Mono.defer(() -> {
            List<LogWrite> before = deferred.getOrDefault(sagaId, List.of());
            LogWrite.StepCompleted earlier = carried(before);
            if (!before.isEmpty() && earlier == null) {
                return Mono.error(new IllegalStateException("saga " + sagaId + " has deferred log records a step's transaction "
                        + "cannot carry: " + before + "; flushBeforeRecord must come first"));
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

    /** The deferred records a SQL step's record can carry (one step's result), or null when they are not that. */
    private static LogWrite.StepCompleted carried(List<LogWrite> deferred) {
        return deferred.size() == 1 && deferred.get(0) instanceof LogWrite.StepCompleted completed ? completed : null;
    }

    /** Which parts of {@link #stepRecordedIn}'s statement applied: the owner held the saga, and each write. */
    private record RecordApplied(boolean owned, boolean earlier, boolean recorded, boolean finished) {
    }

    /** The statement of {@link #stepRecordedIn}, when the step ends the saga ({@code finish}) or not. */
    String recordStatement(boolean finish) {
        return finish ? recordFinishingSql : recordSql;
    }

    /**
     * The statement of {@link #stepRecordedIn}. Its fence is the saga row's key share lock; with {@code finish}, it is
     * the update that ends the saga instead, which locks the row as well (more strongly) and so spares a second write
     * of the same row. Either way the owner check comes first and every other part applies only behind it. When the
     * step is not recorded (an earlier attempt recorded it), the caller rolls the whole transaction back, the saga's
     * end with it.
     */
    private String recordSql(boolean finish) {
        String fence = finish
                ? "UPDATE " + saga + " SET " + COMPLETED_SAGA + " WHERE saga_id = $1 AND owner_id = $2 AND $6::boolean RETURNING 1"
                : "SELECT 1 FROM " + saga + " WHERE saga_id = $1 AND owner_id = $2 AND NOT $6::boolean FOR KEY SHARE";
        return "WITH fence AS (" + fence + "), "
                + "earlier AS (UPDATE " + step + " SET state = 'COMPLETED', result = $8::jsonb, completed_at = now(), error = NULL "
                + "WHERE saga_id = $1 AND step_id = $7 AND EXISTS (SELECT 1 FROM fence) RETURNING 1), "
                + "recorded AS (INSERT INTO " + step + " (saga_id, step_id, position, state, result, completed_at) "
                + "SELECT $1, $3, $4, 'COMPLETED', $5::jsonb, now() WHERE EXISTS (SELECT 1 FROM fence) "
                + "ON CONFLICT (saga_id, step_id) DO UPDATE SET state = 'COMPLETED', result = EXCLUDED.result, "
                + "attempts = " + step + ".attempts + 1, completed_at = now(), error = NULL "
                + "WHERE " + step + ".state IN ('STARTED', 'FAILED') RETURNING 1) "
                + "SELECT EXISTS (SELECT 1 FROM fence) AS owned, EXISTS (SELECT 1 FROM earlier) AS earlier, "
                + "EXISTS (SELECT 1 FROM recorded) AS recorded, $6::boolean AND EXISTS (SELECT 1 FROM recorded) AS finished";
    }

    /**
     * What {@link #stepRecordedIn} wrote besides the step's record.
     *
     * @param deferred the saga's deferred records it carried
     * @param finished whether it recorded the saga as {@code COMPLETED}
     */
    public record Recorded(List<LogWrite> deferred, boolean finished) {
    }

    /** Drops the saga's deferred records {@code written} in a transaction that committed (see {@link #stepRecordedIn}). */
    public void committed(UUID sagaId, List<LogWrite> written) {
        if (!written.isEmpty()) {
            deferred.remove(sagaId, written);
        }
    }

    /** Logs a step's failure; a step already recorded as completed keeps that state. */
    public Mono<Void> stepFailed(UUID sagaId, String owner, String stepId, String error) {
        return flush(sagaId).then(pool.update("UPDATE " + step + " SET state = 'FAILED', error = $4 WHERE saga_id = $1 AND step_id = $3 "
                + "AND state = 'STARTED'" + owned(), sagaId, owner, stepId, Json.text(error)).then());
    }

    /** Logs a step as being compensated, before the compensation's effect. */
    public Mono<Void> stepCompensating(UUID sagaId, String owner, String stepId, JsonNode result) {
        return flush(sagaId).then(fenced(pool.update("UPDATE " + step + " SET state = 'COMPENSATING', result = $4::jsonb, "
                + "compensation_started_at = now() WHERE saga_id = $1 AND step_id = $3" + owned(),
                sagaId, owner, stepId, Json.param(result)), sagaId, owner));
    }

    /** Logs a step as compensated, after the compensation's effect. */
    public Mono<Void> stepCompensated(UUID sagaId, String owner, String stepId) {
        return flush(sagaId).then(fenced(pool.update(compensatedSql(), sagaId, owner, stepId), sagaId, owner));
    }

    /** Logs a step as compensated inside the transaction of the compensation's effect. */
    public Mono<Void> stepCompensatedIn(Tx tx, UUID sagaId, String owner, String stepId) {
        return fenced(tx.update(compensatedSql(), sagaId, owner, stepId), sagaId, owner);
    }

    private String compensatedSql() {
        return "UPDATE " + step + " SET state = 'COMPENSATED', compensated_at = now(), error = NULL "
                + "WHERE saga_id = $1 AND step_id = $3" + owned();
    }

    /** Logs a failed compensation of a step. */
    public Mono<Void> stepCompensationFailed(UUID sagaId, String owner, String stepId, String error) {
        return flush(sagaId).then(fenced(pool.update("UPDATE " + step + " SET state = 'COMPENSATION_FAILED', error = $4 "
                + "WHERE saga_id = $1 AND step_id = $3 AND state <> 'COMPENSATED'" + owned(), sagaId, owner, stepId,
                Json.text(error)), sagaId, owner));
    }

    /** Logs that the saga compensates, with the reason. */
    public Mono<Void> sagaCompensating(UUID sagaId, String owner, String reason) {
        return flush(sagaId).then(fenced(pool.update("UPDATE " + saga + " SET state = 'COMPENSATING', reason = $3, updated_at = now() "
                + "WHERE saga_id = $1 AND owner_id = $2", sagaId, owner, Json.text(reason)), sagaId, owner));
    }

    /**
     * Logs a terminal state; for {@code COMPENSATION_FAILED} the saga is put in (or kept in) the manual-intervention
     * queue in the same transaction, and for {@code ROLLED_BACK} a queued entry is marked resolved.
     */
    public Mono<Void> sagaFinished(UUID sagaId, String owner, String state, String reason, List<String> errors) {
        if ("COMPLETED".equals(state)) {
            return submitWithDeferred(new LogWrite.SagaCompleted(sagaId, owner));
        }
        return flush(sagaId).then(pool.inTransaction(tx -> sagaFinishedIn(tx, sagaId, owner, state, reason, errors)).then());
    }

    /** {@link #sagaFinished} inside {@code tx}. */
    public Mono<Void> sagaFinishedIn(Tx tx, UUID sagaId, String owner, String state, String reason, List<String> errors) {
        String errorsJson = Json.tree(errors).toString();
        return fenced(tx.update("UPDATE " + saga + " SET state = $3, reason = $4, errors = $5::jsonb, "
                        + "lease_until = NULL, updated_at = now(), finished_at = now() WHERE saga_id = $1 AND owner_id = $2",
                sagaId, owner, state, Json.text(reason), errorsJson), sagaId, owner)
                .then(switch (state) {
                    case "COMPENSATION_FAILED" -> tx.update("INSERT INTO " + intervention + " (saga_id, reason, errors) "
                            + "VALUES ($1, $2, $3::jsonb) ON CONFLICT (saga_id) DO UPDATE SET reason = EXCLUDED.reason, "
                            + "errors = EXCLUDED.errors, resolved_at = NULL, resolution = NULL",
                            sagaId, reason == null ? "" : reason, errorsJson).then();
                    case "ROLLED_BACK" -> tx.update("UPDATE " + intervention + " SET resolved_at = now(), "
                            + "resolution = 'retried: rolled back' WHERE saga_id = $1 AND resolved_at IS NULL", sagaId).then();
                    default -> Mono.<Void>empty();
                });
    }

    /** Logs a step as completed with {@code result} inside {@code tx}, creating its row when it has none. */
    public Mono<Void> stepDoneIn(Tx tx, UUID sagaId, String owner, String stepId, int position, JsonNode result) {
        return fenced(tx.update("INSERT INTO " + step + " (saga_id, step_id, position, state, result, completed_at) "
                + "SELECT $1, $3, $4, 'COMPLETED', $5::jsonb, now() WHERE " + fence() + " "
                + "ON CONFLICT (saga_id, step_id) DO UPDATE SET state = 'COMPLETED', result = EXCLUDED.result, "
                + "completed_at = now(), error = NULL", sagaId, owner, stepId, position, Json.param(result)), sagaId, owner);
    }

    /** Logs a completed step as compensated without running anything (its effect was rolled back). */
    public Mono<Void> stepRolledBack(UUID sagaId, String owner, String stepId) {
        return flush(sagaId).then(pool.update("UPDATE " + step + " SET state = 'COMPENSATED', compensated_at = now() "
                + "WHERE saga_id = $1 AND step_id = $3 AND state <> 'COMPENSATED'" + owned(), sagaId, owner, stepId).then());
    }

    /** Records the global id of a saga's prepared transaction as {@code PREPARING}, before the transaction starts. */
    public Mono<Void> preparing(UUID sagaId, String owner, String gid) {
        return flush(sagaId).then(fenced(pool.update("INSERT INTO " + prepared + " (gid, saga_id, state) SELECT $3, $1, 'PREPARING' "
                + "WHERE " + fence() + " "
                + "ON CONFLICT (gid) DO UPDATE SET state = 'PREPARING', resolved_at = NULL", sagaId, owner, gid), sagaId, owner));
    }

    /** Moves a saga's prepared-transaction record to {@code state} ({@code COMMITTED} and {@code ROLLED_BACK} are final). */
    public Mono<Void> preparedState(UUID sagaId, String owner, String gid, String state) {
        boolean resolved = "COMMITTED".equals(state) || "ROLLED_BACK".equals(state);
        return flush(sagaId).then(fenced(pool.update("UPDATE " + prepared + " SET state = $4" + (resolved ? ", resolved_at = now()" : "")
                + " WHERE gid = $3 AND saga_id = $1" + owned(), sagaId, owner, gid, state), sagaId, owner));
    }

    /**
     * Logs the transaction as {@code PREPARED} and the SQL steps as completed with their results, in one transaction,
     * after {@code PREPARE TRANSACTION} succeeded.
     */
    public Mono<Void> prepared(UUID sagaId, String owner, String gid, List<StepRecord> steps) {
        return flush(sagaId).then(pool.inTransaction(tx -> fenced(tx.update("UPDATE " + prepared + " SET state = 'PREPARED' WHERE gid = $3 AND saga_id = $1"
                        + owned(), sagaId, owner, gid), sagaId, owner)
                .thenMany(reactor.core.publisher.Flux.fromIterable(steps)
                        .concatMap(row -> stepDoneIn(tx, sagaId, owner, row.stepId(), row.position(), row.result())))).then());
    }

    /** The state of a saga's prepared-transaction record, empty when it has none. */
    public Mono<String> preparedState(String gid) {
        return pool.queryOne("SELECT state FROM " + prepared + " WHERE gid = $1", row -> row.get("state", String.class), gid);
    }

    /** Whether the server holds a prepared transaction with this global id in this database. */
    public Mono<Boolean> isPrepared(String gid) {
        return pool.queryOne("SELECT count(*) AS n FROM pg_prepared_xacts WHERE gid = $1 AND database = current_database()",
                row -> row.get("n", Long.class) > 0, gid);
    }

    /**
     * Prepared transactions of this log (global id starting with {@code gidPrefix}, in this database) whose saga is
     * not running any more (or is unknown), with the decision the log holds: emits {@code gid -> commit?}.
     */
    public Flux<Map.Entry<String, Boolean>> orphanedPrepared(String gidPrefix) {
        return pool.query("SELECT p.gid, coalesce(r.state = 'COMMITTING' OR r.state = 'COMMITTED' OR s.state = 'COMPLETED', false) "
                        + "AS commit FROM pg_prepared_xacts p LEFT JOIN " + prepared + " r ON r.gid = p.gid LEFT JOIN " + saga
                        + " s ON s.saga_id = r.saga_id WHERE p.database = current_database() AND starts_with(p.gid, $1) "
                        + "AND (s.state IS NULL OR s.state NOT IN ('RUNNING', 'COMPENSATING'))",
                row -> Map.entry(row.get("gid", String.class), Boolean.TRUE.equals(row.get("commit", Boolean.class))), gidPrefix);
    }

    /** Writes one outbox row inside {@code tx}; a null {@code value} makes it a delete. */
    public Mono<Void> outboxIn(Tx tx, UUID sagaId, String stepId, String bucket, String key, byte[] value, String messageId) {
        return tx.update("INSERT INTO " + outbox + " (saga_id, step_id, bucket, key, value, message_id) VALUES ($1, $2, $3, $4, $5, $6) "
                + "ON CONFLICT (message_id) DO NOTHING", sagaId, stepId, bucket, key,
                value == null ? io.r2dbc.spi.Parameters.in(java.nio.ByteBuffer.class) : java.nio.ByteBuffer.wrap(value), messageId).then();
    }

    /**
     * Claims, inside {@code tx}, up to {@code limit} undelivered outbox rows of the given buckets that are the oldest
     * undelivered row of their key, skipping rows another relay holds and the rows of {@code skipped}: so rows of one
     * key are delivered in order even with several relays.
     */
    public Flux<OutboxRow> claimOutbox(Tx tx, Collection<String> buckets, int limit, Collection<Long> skipped) {
        return tx.query("SELECT o.id, o.bucket, o.key, o.value, o.message_id FROM " + outbox + " o WHERE o.delivered_at IS NULL "
                        + "AND o.bucket = ANY($1) AND o.id <> ALL($3) AND NOT EXISTS (SELECT 1 FROM " + outbox + " e WHERE e.bucket = o.bucket "
                        + "AND e.key = o.key AND e.delivered_at IS NULL AND e.id < o.id) ORDER BY o.id LIMIT $2 FOR UPDATE OF o SKIP LOCKED",
                row -> new OutboxRow(row.get("id", Long.class), row.get("bucket", String.class), row.get("key", String.class),
                        bytes(row.get("value", java.nio.ByteBuffer.class)), row.get("message_id", String.class)),
                buckets.toArray(String[]::new), limit, skipped.toArray(Long[]::new));
    }

    private static byte[] bytes(java.nio.ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    /** Marks an outbox row delivered with the KV revision it got. */
    public Mono<Void> outboxDelivered(Tx tx, long id, long revision) {
        return tx.update("UPDATE " + outbox + " SET delivered_at = now(), revision = $2, attempts = attempts + 1, last_error = NULL "
                + "WHERE id = $1", id, revision).then();
    }

    /** Records a failed delivery of an outbox row; it stays pending. */
    public Mono<Void> outboxFailed(Tx tx, long id, String error) {
        return tx.update("UPDATE " + outbox + " SET attempts = attempts + 1, last_error = $2 WHERE id = $1", id, error).then();
    }

    /** How many outbox rows wait for delivery. */
    public Mono<Long> outboxPending() {
        return pool.queryOne("SELECT count(*) AS n FROM " + outbox + " WHERE delivered_at IS NULL", row -> row.get("n", Long.class));
    }

    /**
     * An outbox row claimed for delivery (internal).
     *
     * @param id        its id (delivery order within a key)
     * @param bucket    the bucket's name on the server
     * @param key       the key
     * @param value     the value to put, or null to delete the key
     * @param messageId the write's JetStream message id
     */
    public record OutboxRow(long id, String bucket, String key, byte[] value, String messageId) {
    }

    /** Every step row of a saga, in position order. */
    public Flux<StepRecord> steps(UUID sagaId) {
        return flush(sagaId).thenMany(pool.query("SELECT " + STEP_COLUMNS + " FROM " + step + " WHERE saga_id = $1 ORDER BY position", LogWriter::stepRow,
                sagaId));
    }

    /** One step row, empty when the step was never logged. */
    public Mono<StepRecord> step(UUID sagaId, String stepId) {
        return flush(sagaId).then(pool.queryOne("SELECT " + STEP_COLUMNS + " FROM " + step + " WHERE saga_id = $1 AND step_id = $2", LogWriter::stepRow,
                sagaId, stepId));
    }

    /** One saga row, empty when unknown. */
    public Mono<SagaRecord> saga(UUID sagaId) {
        return pool.queryOne("SELECT " + SAGA_COLUMNS + " FROM " + saga + " WHERE saga_id = $1", LogWriter::sagaRow, sagaId);
    }

    /**
     * Claims up to {@code limit} sagas whose lease expired, skipping rows another transaction holds, and makes
     * {@code owner} their owner with a fresh lease; emits the claimed sagas.
     */
    public Flux<SagaRecord> claimExpired(String owner, Duration lease, int limit) {
        return pool.query("WITH expired AS (SELECT saga_id FROM " + saga + " WHERE state IN ('RUNNING', 'COMPENSATING') "
                + "AND lease_until < now() ORDER BY lease_until LIMIT $3 FOR UPDATE SKIP LOCKED) "
                + "UPDATE " + saga + " s SET owner_id = $1, lease_until = now() + $2 * interval '1 millisecond', "
                + "recoveries = s.recoveries + 1, updated_at = now() FROM expired WHERE s.saga_id = expired.saga_id "
                + "RETURNING s.saga_id, s.name, s.version, s.correlation_id, s.input::text AS input, s.state, s.reason, s.recoveries",
                LogWriter::sagaRow, owner, lease.toMillis(), limit);
    }

    /**
     * Claims a saga that ended {@code COMPENSATION_FAILED} for a retry of its compensations: it becomes
     * {@code COMPENSATING}, owned by {@code owner}. Empty when the saga is not in that state (or another instance
     * holds it).
     */
    public Mono<SagaRecord> claimForRetry(UUID sagaId, String owner, Duration lease) {
        return pool.inTransaction(tx -> tx.query("UPDATE " + saga + " SET state = 'COMPENSATING', owner_id = $2, "
                        + "lease_until = now() + $3 * interval '1 millisecond', updated_at = now(), finished_at = NULL "
                        + "WHERE saga_id = $1 AND state = 'COMPENSATION_FAILED' RETURNING " + SAGA_COLUMNS, LogWriter::sagaRow,
                sagaId, owner, lease.toMillis())
                .flatMap(claimed -> tx.update("UPDATE " + intervention + " SET retries = retries + 1, last_retry_at = now() "
                        + "WHERE saga_id = $1", sagaId).thenReturn(claimed))).next();
    }

    /**
     * Extends the leases of the given sagas owned by {@code owner}; emits how many were extended. The rows are locked
     * in id order, like a group commit's share locks, so the two never deadlock.
     */
    public Mono<Long> renew(String owner, Collection<UUID> sagaIds, Duration lease) {
        if (sagaIds.isEmpty()) {
            return Mono.just(0L);
        }
        return pool.update(renewStatement(), owner, lease.toMillis(), sagaIds.toArray(UUID[]::new));
    }

    /** The lease renewal: {@code $1} the owner, {@code $2} the lease in milliseconds, {@code $3} the sagas. */
    String renewStatement() {
        return "WITH mine AS (" + lockedInOrder("unnest($3::uuid[]) AS u(saga_id)",
                "x.owner_id = $1 AND x.state IN ('RUNNING', 'COMPENSATING')") + ") "
                + updatedByKey("mine", "lease_until = now() + $2::bigint * interval '1 millisecond'");
    }

    /*
     * The statements that touch many log rows at once never leave PostgreSQL a choice of plan that scans a log table:
     * a connection caches a generic plan for each statement after a few runs, and one made while the log was small
     * chose a sequential scan with a hash join, then kept reading the whole log on every write as it grew. Rows are
     * found by lateral lookups through the primary key, and updated through an upsert on it, which never scans.
     */

    /**
     * Locks ({@code FOR NO KEY UPDATE}) the saga rows named by {@code ids} (a {@code FROM} item with a column
     * {@code saga_id}, as {@code u}) that meet {@code condition} (on {@code x}, the row), in saga id order so that two
     * such statements never deadlock; emits the rows' key and {@code NOT NULL} columns.
     */
    private String lockedInOrder(String ids, String condition) {
        return "SELECT x.* FROM (SELECT * FROM " + ids + " ORDER BY saga_id) u CROSS JOIN LATERAL (SELECT saga_id, name, version, "
                + "correlation_id, input, state FROM " + saga + " x WHERE x.saga_id = u.saga_id AND " + condition + " FOR NO KEY UPDATE) x";
    }

    /**
     * Updates with {@code assignments} the saga rows that {@code locked} ({@link #lockedInOrder}) holds, as an upsert
     * of those same rows: each conflicts on its key, so the update applies and nothing is inserted.
     */
    private String updatedByKey(String locked, String assignments) {
        return "INSERT INTO " + saga + " (saga_id, name, version, correlation_id, input, state) SELECT * FROM " + locked
                + " ON CONFLICT (saga_id) DO UPDATE SET " + assignments;
    }

    /** See {@code SagaLog#purge}: the steps explicitly (they have no foreign key), the other tables by their cascades. */
    public Mono<Long> purge(Duration olderThan, int limit) {
        return pool.queryOne(purgeSql, row -> row.get(0, Long.class), olderThan.toMillis(), limit);
    }

    /** The purge's statement; parameters: the age in milliseconds, the limit. */
    String purgeStatement() {
        return purgeSql;
    }

    private String purgeSql() {
        return "WITH old AS (DELETE FROM " + saga + " WHERE saga_id IN (SELECT s.saga_id FROM " + saga + " s "
                + "WHERE s.state IN ('COMPLETED', 'ROLLED_BACK') AND s.finished_at < now() - $1::bigint * interval '1 millisecond' "
                + "AND NOT EXISTS (SELECT 1 FROM " + outbox + " o WHERE o.saga_id = s.saga_id AND o.delivered_at IS NULL) "
                + "LIMIT $2) RETURNING saga_id), "
                + "steps AS (DELETE FROM " + step + " WHERE saga_id IN (SELECT saga_id FROM old)) SELECT count(*) FROM old";
    }

    /** Unresolved (or, with {@code all}, every) manual-intervention entries, oldest first. */
    public Flux<InterventionRow> interventions(boolean all) {
        return pool.query("SELECT i.saga_id, s.name, s.correlation_id, i.reason, i.errors::text AS errors, i.queued_at, i.retries, "
                        + "i.resolved_at, i.resolution FROM " + intervention + " i JOIN " + saga + " s USING (saga_id)"
                        + (all ? "" : " WHERE i.resolved_at IS NULL") + " ORDER BY i.queued_at, i.saga_id",
                row -> new InterventionRow(row.get("saga_id", UUID.class), row.get("name", String.class), row.get("correlation_id", String.class),
                        row.get("reason", String.class), Json.parse(row.get("errors", String.class)),
                        row.get("queued_at", java.time.OffsetDateTime.class), row.get("retries", Integer.class),
                        row.get("resolved_at", java.time.OffsetDateTime.class), row.get("resolution", String.class)));
    }

    /** Marks an unresolved entry resolved with a note; emits whether one was. */
    public Mono<Boolean> resolve(UUID sagaId, String note) {
        return pool.update("UPDATE " + intervention + " SET resolved_at = now(), resolution = $2 WHERE saga_id = $1 "
                + "AND resolved_at IS NULL", sagaId, note).map(rows -> rows > 0);
    }

    /**
     * A manual-intervention row as read (internal).
     *
     * @param sagaId        the saga
     * @param name          its definition's name
     * @param correlationId its correlation id
     * @param reason        why it compensated
     * @param errors        the failed compensations
     * @param queuedAt      when it was queued
     * @param retries       how many retries were made
     * @param resolvedAt    when it was resolved, or null
     * @param resolution    how, or null
     */
    public record InterventionRow(UUID sagaId, String name, String correlationId, String reason, JsonNode errors,
                       java.time.OffsetDateTime queuedAt, int retries, java.time.OffsetDateTime resolvedAt, String resolution) {
    }

    private static StepRecord stepRow(Row row) {
        return new StepRecord(row.get("step_id", String.class), row.get("position", Integer.class),
                StepState.valueOf(row.get("state", String.class)), Json.parse(row.get("pre_image", String.class)),
                Json.parse(row.get("result", String.class)), row.get("error", String.class));
    }

    private static SagaRecord sagaRow(Row row) {
        return new SagaRecord(row.get("saga_id", UUID.class), row.get("name", String.class), row.get("version", Integer.class),
                row.get("correlation_id", String.class), Json.parse(row.get("input", String.class)), row.get("state", String.class),
                row.get("reason", String.class), row.get("recoveries", Integer.class));
    }
}
