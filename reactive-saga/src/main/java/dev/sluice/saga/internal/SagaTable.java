package dev.sluice.saga.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.pool.PgPool;
import dev.sluice.pool.Tx;
import dev.sluice.saga.SagaLeaseLostException;
import io.r2dbc.spi.Row;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.Collection;
import java.util.UUID;

/**
 * The saga table of the log (internal): one row per saga with its input, {@link SagaState}, owner and lease. Writes
 * about a running saga are fenced by its owner id: a write by an instance that no longer owns the saga changes
 * nothing and fails with {@link SagaLeaseLostException}. The statements that update several saga rows (the renewal,
 * a group commit's completions) lock them in id order, so they never deadlock with each other.
 */
public final class SagaTable {

    /**
     * The fence of a write about saga {@code $1} by owner {@code $2}: true while {@code $2} owns the saga, and a key
     * share lock on the saga's row until the transaction ends. That lock holds off a recovery claim
     * ({@code FOR UPDATE SKIP LOCKED} skips the row) but not the lease renewal, which changes no key.
     */
    static final String FENCE = "EXISTS (SELECT 1 FROM {saga} o WHERE o.saga_id = $1 AND o.owner_id = $2 FOR KEY SHARE)";

    /** The assignments that record a saga as {@code COMPLETED} (the group statement's finishes, a last SQL step's record). */
    static final String COMPLETED = "state = 'COMPLETED', reason = NULL, errors = '[]'::jsonb, lease_until = NULL, "
            + "updated_at = now(), finished_at = now()";

    private static final String COLUMNS = "saga_id, name, version, correlation_id, input::text AS input, state, reason, recoveries";

    private static final String READ = "SELECT " + COLUMNS + " FROM {saga} WHERE saga_id = $1";

    private static final String CLAIM_EXPIRED = """
            WITH expired AS (SELECT saga_id FROM {saga} WHERE state IN ('RUNNING', 'COMPENSATING') \
            AND lease_until < now() ORDER BY lease_until LIMIT $3 FOR UPDATE SKIP LOCKED) \
            UPDATE {saga} s SET owner_id = $1, lease_until = now() + $2 * interval '1 millisecond', \
            recoveries = s.recoveries + 1, updated_at = now() FROM expired WHERE s.saga_id = expired.saga_id \
            RETURNING s.saga_id, s.name, s.version, s.correlation_id, s.input::text AS input, s.state, s.reason, s.recoveries""";

    private static final String CLAIM_FOR_RETRY = """
            UPDATE {saga} SET state = 'COMPENSATING', owner_id = $2, \
            lease_until = now() + $3 * interval '1 millisecond', updated_at = now(), finished_at = NULL \
            WHERE saga_id = $1 AND state = 'COMPENSATION_FAILED' RETURNING \
            """ + COLUMNS;

    /** The lease renewal: {@code $1} the owner, {@code $2} the lease in milliseconds, {@code $3} the sagas. */
    private static final String RENEW = "WITH mine AS (" + lockedInOrder("unnest($3::uuid[]) AS u(saga_id)",
            "x.owner_id = $1 AND x.state IN ('RUNNING', 'COMPENSATING')") + ") "
            + updatedByKey("mine", "lease_until = now() + $2::bigint * interval '1 millisecond'");

    private static final String COMPENSATING = """
            UPDATE {saga} SET state = 'COMPENSATING', reason = $3, updated_at = now() \
            WHERE saga_id = $1 AND owner_id = $2""";

    private static final String FINISHED = """
            UPDATE {saga} SET state = $3, reason = $4, errors = $5::jsonb, \
            lease_until = NULL, updated_at = now(), finished_at = now() WHERE saga_id = $1 AND owner_id = $2""";

    /**
     * See {@code SagaLog#purge}: the steps explicitly (they have no foreign key), the other tables by their cascades.
     * Parameters: the age in milliseconds, the limit.
     */
    private static final String PURGE = """
            WITH old AS (DELETE FROM {saga} WHERE saga_id IN (SELECT s.saga_id FROM {saga} s \
            WHERE s.state IN ('COMPLETED', 'ROLLED_BACK') AND s.finished_at < now() - $1::bigint * interval '1 millisecond' \
            AND NOT EXISTS (SELECT 1 FROM {outbox} o WHERE o.saga_id = s.saga_id AND o.delivered_at IS NULL) \
            LIMIT $2) RETURNING saga_id), \
            steps AS (DELETE FROM {step} WHERE saga_id IN (SELECT saga_id FROM old)) SELECT count(*) FROM old""";

    private final PgPool pool;
    private final DeferredWrites deferred;
    private final String read;
    private final String claimExpired;
    private final String claimForRetry;
    private final String renew;
    private final String compensating;
    private final String finished;
    private final String purge;

    /**
     * @param pool     the pool of the log's database
     * @param tables   the log's tables
     * @param deferred the log's deferred writes
     */
    public SagaTable(PgPool pool, TableNames tables, DeferredWrites deferred) {
        this.pool = pool;
        this.deferred = deferred;
        this.read = tables.sql(READ);
        this.claimExpired = tables.sql(CLAIM_EXPIRED);
        this.claimForRetry = tables.sql(CLAIM_FOR_RETRY);
        this.renew = tables.sql(RENEW);
        this.compensating = tables.sql(COMPENSATING);
        this.finished = tables.sql(FINISHED);
        this.purge = tables.sql(PURGE);
    }

    /*
     * The statements that touch many log rows at once never leave PostgreSQL a choice of plan that scans a log table:
     * a connection caches a generic plan for each statement after a few runs, and a join of parameter arrays with a
     * log table may be planned, while the log is small, as a sequential scan with a hash join, which then reads the
     * whole log on every write as it grows. Rows are found by lateral lookups through the primary key, and updated
     * through an upsert on it, which never scans.
     */

    /**
     * Locks ({@code FOR NO KEY UPDATE}) the saga rows named by {@code ids} (a {@code FROM} item with a column
     * {@code saga_id}, as {@code u}) that meet {@code condition} (on {@code x}, the row), in saga id order so that two
     * such statements never deadlock; emits the rows' key and {@code NOT NULL} columns. A template ({@code {saga}}).
     */
    static String lockedInOrder(String ids, String condition) {
        return "SELECT x.* FROM (SELECT * FROM " + ids + " ORDER BY saga_id) u CROSS JOIN LATERAL (SELECT saga_id, name, version, "
                + "correlation_id, input, state FROM {saga} x WHERE x.saga_id = u.saga_id AND " + condition + " FOR NO KEY UPDATE) x";
    }

    /**
     * Updates with {@code assignments} the saga rows that {@code locked} ({@link #lockedInOrder}) holds, as an upsert
     * of those same rows: each conflicts on its key, so the update applies and nothing is inserted. A template.
     */
    static String updatedByKey(String locked, String assignments) {
        return "INSERT INTO {saga} (saga_id, name, version, correlation_id, input, state) SELECT * FROM " + locked
                + " ON CONFLICT (saga_id) DO UPDATE SET " + assignments;
    }

    /** Fails with {@link SagaLeaseLostException} when {@code update} changed no row. */
    static Mono<Void> fenced(Mono<Long> update, UUID sagaId, String owner) {
        return update.flatMap(rows -> rows == 0 ? Mono.error(new SagaLeaseLostException(sagaId, owner)) : Mono.empty());
    }

    /**
     * Logs a new saga, {@code RUNNING}, owned by {@code owner} with a lease of {@code lease}. Deferred: the record
     * goes with the saga's next log write, which always comes before its first effect.
     */
    public Mono<Void> insert(UUID sagaId, String name, int version, String correlationId, JsonNode input, String owner,
                             Duration lease) {
        return deferred.defer(new LogWrite.SagaInserted(sagaId, name, version, correlationId, input.toString(), owner, lease.toMillis()));
    }

    /** One saga row, empty when unknown. */
    public Mono<SagaRecord> read(UUID sagaId) {
        return pool.queryOne(read, SagaTable::row, sagaId);
    }

    /**
     * Claims up to {@code limit} sagas whose lease expired, skipping rows another transaction holds, and makes
     * {@code owner} their owner with a fresh lease; emits the claimed sagas.
     */
    public Flux<SagaRecord> claimExpired(String owner, Duration lease, int limit) {
        return pool.query(claimExpired, SagaTable::row, owner, lease.toMillis(), limit);
    }

    /**
     * Inside {@code tx}: claims a saga that ended {@code COMPENSATION_FAILED} for a retry of its compensations: it
     * becomes {@code COMPENSATING}, owned by {@code owner}. Empty when the saga is not in that state (or another
     * instance holds it): emits the claimed saga.
     */
    Flux<SagaRecord> claimForRetryIn(Tx tx, UUID sagaId, String owner, Duration lease) {
        return tx.query(claimForRetry, SagaTable::row, sagaId, owner, lease.toMillis());
    }

    /**
     * Extends the leases of the given sagas owned by {@code owner}; emits how many were extended. The rows are locked
     * in id order, like a group commit's completions, so the two never deadlock.
     */
    public Mono<Long> renew(String owner, Collection<UUID> sagaIds, Duration lease) {
        if (sagaIds.isEmpty()) {
            return Mono.just(0L);
        }
        return pool.update(renew, owner, lease.toMillis(), sagaIds.toArray(UUID[]::new));
    }

    /** The lease renewal's statement. */
    String renewStatement() {
        return renew;
    }

    /** Logs that the saga compensates, with the reason (after its deferred records). */
    public Mono<Void> compensating(UUID sagaId, String owner, String reason) {
        return deferred.flush(sagaId).then(fenced(pool.update(compensating, sagaId, owner, Json.text(reason)), sagaId, owner));
    }

    /** Logs a terminal state inside {@code tx}, with the reason and the failed compensations. */
    Mono<Void> finishedIn(Tx tx, UUID sagaId, String owner, SagaState state, String reason, String errorsJson) {
        return fenced(tx.update(finished, sagaId, owner, state.name(), Json.text(reason), errorsJson), sagaId, owner);
    }

    /** Deletes up to {@code limit} finished sagas older than {@code olderThan} (see {@code SagaLog#purge}); emits how many. */
    public Mono<Long> purge(Duration olderThan, int limit) {
        return pool.queryOne(purge, row -> row.get(0, Long.class), olderThan.toMillis(), limit);
    }

    /** The purge's statement. */
    String purgeStatement() {
        return purge;
    }

    static SagaRecord row(Row row) {
        return new SagaRecord(row.get("saga_id", UUID.class), row.get("name", String.class), row.get("version", Integer.class),
                row.get("correlation_id", String.class), Json.parse(row.get("input", String.class)),
                SagaState.valueOf(row.get("state", String.class)), row.get("reason", String.class), row.get("recoveries", Integer.class));
    }
}
