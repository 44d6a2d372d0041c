package dev.sluice.saga.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.pool.PgPool;
import dev.sluice.pool.Tx;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * The manual-intervention table of the log (internal): one row per saga that ended {@code COMPENSATION_FAILED},
 * resolved by a retry that rolls back or by hand.
 */
public final class InterventionTable {

    private static final String LIST = """
            SELECT i.saga_id, s.name, s.correlation_id, i.reason, i.errors::text AS errors, i.queued_at, i.retries, \
            i.resolved_at, i.resolution FROM {intervention} i JOIN {saga} s USING (saga_id)""";

    private static final String UNRESOLVED = " WHERE i.resolved_at IS NULL";

    private static final String ORDER = " ORDER BY i.queued_at, i.saga_id";

    private static final String RESOLVE = """
            UPDATE {intervention} SET resolved_at = now(), resolution = $2 WHERE saga_id = $1 \
            AND resolved_at IS NULL""";

    private static final String QUEUE = """
            INSERT INTO {intervention} (saga_id, reason, errors) \
            VALUES ($1, $2, $3::jsonb) ON CONFLICT (saga_id) DO UPDATE SET reason = EXCLUDED.reason, \
            errors = EXCLUDED.errors, resolved_at = NULL, resolution = NULL""";

    private static final String ROLLED_BACK = """
            UPDATE {intervention} SET resolved_at = now(), \
            resolution = 'retried: rolled back' WHERE saga_id = $1 AND resolved_at IS NULL""";

    private static final String RETRIED = "UPDATE {intervention} SET retries = retries + 1, last_retry_at = now() WHERE saga_id = $1";

    private final PgPool pool;
    private final String list;
    private final String listAll;
    private final String resolve;
    private final String queue;
    private final String rolledBack;
    private final String retried;

    /**
     * @param pool   the pool of the log's database
     * @param tables the log's tables
     */
    public InterventionTable(PgPool pool, TableNames tables) {
        this.pool = pool;
        this.list = tables.sql(LIST + UNRESOLVED + ORDER);
        this.listAll = tables.sql(LIST + ORDER);
        this.resolve = tables.sql(RESOLVE);
        this.queue = tables.sql(QUEUE);
        this.rolledBack = tables.sql(ROLLED_BACK);
        this.retried = tables.sql(RETRIED);
    }

    /** Unresolved (or, with {@code all}, every) entries, oldest first. */
    public Flux<InterventionRow> list(boolean all) {
        return pool.query(all ? listAll : list, row -> new InterventionRow(row.get("saga_id", UUID.class), row.get("name", String.class),
                row.get("correlation_id", String.class), row.get("reason", String.class), Json.parse(row.get("errors", String.class)),
                row.get("queued_at", OffsetDateTime.class), row.get("retries", Integer.class),
                row.get("resolved_at", OffsetDateTime.class), row.get("resolution", String.class)));
    }

    /** Marks an unresolved entry resolved with a note; emits whether one was. */
    public Mono<Boolean> resolve(UUID sagaId, String note) {
        return pool.update(resolve, sagaId, note).map(rows -> rows > 0);
    }

    /** Puts the saga in the queue (or keeps it there, unresolved, with the new reason and errors) inside {@code tx}. */
    Mono<Void> queuedIn(Tx tx, UUID sagaId, String reason, String errorsJson) {
        return tx.update(queue, sagaId, reason == null ? "" : reason, errorsJson).then();
    }

    /** Marks a queued entry resolved by a retry that rolled the saga back, inside {@code tx}. */
    Mono<Void> rolledBackIn(Tx tx, UUID sagaId) {
        return tx.update(rolledBack, sagaId).then();
    }

    /** Counts a retry of a queued saga inside {@code tx}. */
    Mono<Void> retriedIn(Tx tx, UUID sagaId) {
        return tx.update(retried, sagaId).then();
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
                                  OffsetDateTime queuedAt, int retries, OffsetDateTime resolvedAt, String resolution) {
    }
}
