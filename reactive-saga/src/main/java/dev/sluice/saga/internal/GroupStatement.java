package dev.sluice.saga.internal;

import dev.sluice.saga.SagaLeaseLostException;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Row;
import io.r2dbc.spi.Statement;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The group commit's statement (internal): the writes of one or more sagas (new sagas, step starts, step results,
 * saga completions) applied in one statement of arrays, so one round trip and one commit. New sagas are inserted;
 * the other writes are fenced (their saga's row is locked with a key share lock, and a write applies only where its
 * owner still owns the saga); completed sagas lock their rows in id order, so this never deadlocks with the lease
 * renewal. The statement holds only the parts a batch needs (one text per combination of kinds of writes, built
 * once), so no part runs on empty arrays. Rows are found by lateral lookups through the primary keys and updated by
 * upserts on them (see {@link SagaTable#lockedInOrder}).
 */
public final class GroupStatement {

    /** A kind of write of the statement, as a bit of {@link #sql(int)}'s argument. */
    private static final int INSERTS = 1;
    private static final int STARTS = 2;
    private static final int COMPLETES = 4;
    private static final int FINISHES = 8;

    /** A parameter array of the fragments below: {@code ?type} becomes the next {@code $n::type[]}. */
    private static final Pattern PARAM = Pattern.compile("\\?(\\w+)");

    private static final String INSERTED = """
            inserted AS (INSERT INTO {saga} (saga_id, name, version, correlation_id, input, state, owner_id, lease_until) \
            SELECT u.saga_id, u.name, u.version, u.correlation_id, u.input::jsonb, 'RUNNING', u.owner_id, \
            now() + u.lease * interval '1 millisecond' FROM unnest(?uuid, ?text, ?int, ?text, ?text, ?text, ?bigint) \
            AS u(saga_id, name, version, correlation_id, input, owner_id, lease) RETURNING saga_id, owner_id)""";
    private static final String FENCE = """
            fence AS (SELECT o.saga_id, o.owner_id FROM unnest(?uuid) AS u(saga_id) CROSS JOIN LATERAL \
            (SELECT saga_id, owner_id FROM {saga} x WHERE x.saga_id = u.saga_id FOR KEY SHARE) o)""";
    private static final String STARTED = """
            started AS (INSERT INTO {step} (saga_id, step_id, position, state, pre_image) \
            SELECT u.saga_id, u.step_id, u.position, 'STARTED', u.pre_image::jsonb FROM unnest(?uuid, ?text, ?int, ?text, ?text) \
            AS u(saga_id, step_id, position, pre_image, owner_id) JOIN owners f ON f.saga_id = u.saga_id AND f.owner_id = u.owner_id \
            """ + StepTable.STARTED_CONFLICT + " RETURNING saga_id, step_id)";
    private static final String COMPLETED = """
            completed AS (INSERT INTO {step} (saga_id, step_id, position, state, result, completed_at) \
            SELECT u.saga_id, u.step_id, x.position, 'COMPLETED', u.result::jsonb, now() FROM unnest(?uuid, ?text, ?text, ?text) \
            AS u(saga_id, step_id, result, owner_id) JOIN owners f ON f.saga_id = u.saga_id AND f.owner_id = u.owner_id \
            CROSS JOIN LATERAL (SELECT position FROM {step} x WHERE x.saga_id = u.saga_id AND x.step_id = u.step_id) x \
            ON CONFLICT (saga_id, step_id) DO UPDATE SET state = 'COMPLETED', result = EXCLUDED.result, completed_at = now(), \
            error = NULL RETURNING saga_id, step_id)""";
    private static final String DONE = "done AS (" + SagaTable.lockedInOrder("unnest(?uuid, ?text) AS u(saga_id, owner_id)",
            "x.owner_id = u.owner_id") + ")";
    private static final String FINISHED = "finished AS (" + SagaTable.updatedByKey("done", SagaTable.COMPLETED) + " RETURNING saga_id)";

    /** The statement for each combination of kinds of writes; none for 0. */
    private final String[] sql = new String[16];

    /** @param tables the log's tables */
    public GroupStatement(TableNames tables) {
        for (int kinds = 1; kinds < sql.length; kinds++) {
            sql[kinds] = tables.sql(sql(kinds));
        }
    }

    /** The statement for a batch holding writes of every kind (its parameters: see {@link #sql(int)}). */
    String all() {
        return sql[INSERTS | STARTS | COMPLETES | FINISHES];
    }

    /**
     * The statement for a batch holding the given kinds of writes (bits): only their parts. Its parameters are the
     * arrays of each kind present, in the order inserts (7), the fenced sagas (1, with starts or completions), starts
     * (5), completions (4), finishes (2). It emits a row per applied part: its kind (I, O for a fenced saga's owner,
     * S, C, F), the saga and a detail (the step, or the owner).
     */
    private static String sql(int kinds) {
        int[] next = {0};
        List<String> parts = new ArrayList<>();
        List<String> applied = new ArrayList<>();
        if ((kinds & INSERTS) != 0) {
            parts.add(numbered(INSERTED, next));
            applied.add("SELECT 'I' AS kind, saga_id, NULL AS detail FROM inserted");
        }
        if ((kinds & (STARTS | COMPLETES)) != 0) {
            parts.add(numbered(FENCE, next));
            parts.add("owners AS (SELECT saga_id, owner_id FROM fence" + ((kinds & INSERTS) != 0
                    ? " UNION ALL SELECT saga_id, owner_id FROM inserted)" : ")"));
            applied.add("SELECT 'O' AS kind, saga_id, owner_id AS detail FROM owners");
        }
        if ((kinds & STARTS) != 0) {
            parts.add(numbered(STARTED, next));
            applied.add("SELECT 'S' AS kind, saga_id, step_id AS detail FROM started");
        }
        if ((kinds & COMPLETES) != 0) {
            parts.add(numbered(COMPLETED, next));
            applied.add("SELECT 'C' AS kind, saga_id, step_id AS detail FROM completed");
        }
        if ((kinds & FINISHES) != 0) {
            parts.add(numbered(DONE, next));
            parts.add(FINISHED);
            applied.add("SELECT 'F' AS kind, saga_id, NULL AS detail FROM finished");
        }
        return "WITH " + String.join(", ", parts) + " " + String.join(" UNION ALL ", applied);
    }

    private static String numbered(String fragment, int[] next) {
        Matcher param = PARAM.matcher(fragment);
        StringBuilder numbered = new StringBuilder();
        while (param.find()) {
            param.appendReplacement(numbered, Matcher.quoteReplacement("$" + (++next[0]) + "::" + param.group(1) + "[]"));
        }
        return param.appendTail(numbered).toString();
    }

    /**
     * Applies {@code writes} on {@code connection} (outside a transaction: the statement commits alone). Emits, after
     * the commit, the writes that were refused with their error (a lost lease, a missing step row); the others are
     * committed. Fails with the server's error, and then nothing was applied.
     */
    Mono<Map<LogWrite, Throwable>> apply(Connection connection, List<LogWrite> writes) {
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
        Statement statement = connection.createStatement(sql[kinds]);
        for (int i = 0; i < params.size(); i++) {
            statement.bind(i, params.get(i));
        }
        return Flux.from(statement.execute())
                .concatMap(result -> result.map((row, metadata) -> appliedPart(row)))
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

    /** A row of the statement's result as {@code kind:saga/detail}, the form {@link #refusal} looks parts up in. */
    private static String appliedPart(Row row) {
        return row.get("kind", String.class) + ":" + row.get("saga_id", UUID.class) + "/" + Objects.toString(row.get("detail", String.class), "");
    }

    /** Why the statement did not apply {@code part}, or null when it did. */
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

    private static <W extends LogWrite> List<W> only(List<? extends LogWrite> writes, Class<W> kind) {
        return writes.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    @SuppressWarnings("unchecked")
    private static <W, T> T[] column(List<W> writes, Class<T> type, Function<? super W, ? extends T> field) {
        T[] values = (T[]) Array.newInstance(type, writes.size());
        for (int i = 0; i < values.length; i++) {
            values[i] = field.apply(writes.get(i));
        }
        return values;
    }
}
