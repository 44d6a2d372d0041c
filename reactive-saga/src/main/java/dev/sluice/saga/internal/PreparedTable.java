package dev.sluice.saga.internal;

import dev.sluice.pool.PgPool;
import dev.sluice.pool.Tx;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.Map;
import java.util.UUID;

/**
 * The prepared-transaction table of the log (internal): one row per two-phase saga's prepared transaction, by global
 * id, with its {@link PreparedState}. Writes are fenced by the saga's owner ({@link SagaTable#FENCE}) and come after
 * the saga's deferred records.
 */
public final class PreparedTable {

    private static final String PREPARING = """
            INSERT INTO {prepared} (gid, saga_id, state) SELECT $3, $1, 'PREPARING' WHERE {fence} \
            ON CONFLICT (gid) DO UPDATE SET state = 'PREPARING', resolved_at = NULL""";

    private static final String MOVE = "UPDATE {prepared} SET state = $4 WHERE gid = $3 AND saga_id = $1 AND {fence}";

    private static final String RESOLVE = "UPDATE {prepared} SET state = $4, resolved_at = now() WHERE gid = $3 AND saga_id = $1 AND {fence}";

    private static final String PREPARED = "UPDATE {prepared} SET state = 'PREPARED' WHERE gid = $3 AND saga_id = $1 AND {fence}";

    private static final String STATE = "SELECT state FROM {prepared} WHERE gid = $1";

    /** The prepared transactions of the log whose saga no longer runs (or is unknown), with whether the log decided to commit. */
    private static final String ORPHANED = """
            SELECT p.gid, coalesce(r.state = 'COMMITTING' OR r.state = 'COMMITTED' OR s.state = 'COMPLETED', false) \
            AS commit FROM pg_prepared_xacts p LEFT JOIN {prepared} r ON r.gid = p.gid LEFT JOIN {saga} \
            s ON s.saga_id = r.saga_id WHERE p.database = current_database() AND starts_with(p.gid, $1) \
            AND (s.state IS NULL OR s.state NOT IN ('RUNNING', 'COMPENSATING'))""";

    private final PgPool pool;
    private final DeferredWrites deferred;
    private final String preparing;
    private final String move;
    private final String resolve;
    private final String prepared;
    private final String state;
    private final String orphaned;

    /**
     * @param pool     the pool of the log's database
     * @param tables   the log's tables
     * @param deferred the log's deferred writes
     */
    public PreparedTable(PgPool pool, TableNames tables, DeferredWrites deferred) {
        this.pool = pool;
        this.deferred = deferred;
        this.preparing = tables.sql(PREPARING);
        this.move = tables.sql(MOVE);
        this.resolve = tables.sql(RESOLVE);
        this.prepared = tables.sql(PREPARED);
        this.state = tables.sql(STATE);
        this.orphaned = tables.sql(ORPHANED);
    }

    /** Records the global id of a saga's prepared transaction as {@code PREPARING}, before the transaction starts. */
    public Mono<Void> preparing(UUID sagaId, String owner, String gid) {
        return deferred.flush(sagaId).then(SagaTable.fenced(pool.update(preparing, sagaId, owner, gid), sagaId, owner));
    }

    /** Moves a saga's prepared-transaction record to {@code state}; a {@link PreparedState#resolved()} one records when. */
    public Mono<Void> moveTo(UUID sagaId, String owner, String gid, PreparedState state) {
        if (state == PreparedState.NONE) {
            return Mono.error(new IllegalArgumentException("a prepared-transaction record cannot move to NONE (no record)"));
        }
        return deferred.flush(sagaId).then(SagaTable.fenced(pool.update(state.resolved() ? resolve : move, sagaId, owner, gid,
                state.name()), sagaId, owner));
    }

    /** Logs the prepared transaction as {@code PREPARED} inside {@code tx}. */
    Mono<Void> preparedIn(Tx tx, UUID sagaId, String owner, String gid) {
        return SagaTable.fenced(tx.update(prepared, sagaId, owner, gid), sagaId, owner);
    }

    /** The state of a saga's prepared-transaction record; {@link PreparedState#NONE} when it has none. */
    public Mono<PreparedState> state(String gid) {
        return pool.queryOne(state, row -> PreparedState.valueOf(row.get("state", String.class)), gid)
                .defaultIfEmpty(PreparedState.NONE);
    }

    /**
     * Prepared transactions of this log (global id starting with {@code gidPrefix}, in this database) whose saga is
     * not running any more (or is unknown), with the decision the log holds: emits {@code gid -> commit?}.
     */
    public Flux<Map.Entry<String, Boolean>> orphaned(String gidPrefix) {
        return pool.query(orphaned, row -> Map.entry(row.get("gid", String.class), Boolean.TRUE.equals(row.get("commit", Boolean.class))),
                gidPrefix);
    }
}
