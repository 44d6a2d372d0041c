package dev.sluice.saga.internal;

import dev.sluice.pool.PgPool;
import dev.sluice.pool.Tx;
import dev.sluice.saga.SagaLeaseLostException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * The saga log's statements (internal): a thin front over one class per table ({@link #sagas()}, {@link #steps()},
 * {@link #prepared()}, {@link #outbox()}, {@link #interventions()}), the deferred writes ({@link #deferred()}) and
 * the group commit they go through, plus the few writes that span tables in one transaction.
 */
public final class LogWriter {

    private final PgPool pool;
    private final DeferredWrites deferred;
    private final SagaTable sagas;
    private final StepTable steps;
    private final PreparedTable prepared;
    private final OutboxTable outbox;
    private final InterventionTable interventions;

    /**
     * @param pool   the pool of the log's database
     * @param schema the schema
     * @param prefix the table prefix
     */
    public LogWriter(PgPool pool, String schema, String prefix) {
        TableNames tables = TableNames.of(schema, prefix);
        this.pool = pool;
        this.deferred = new DeferredWrites(new GroupCommit(pool, new GroupStatement(tables),
                Math.max(1, Math.min(2, pool.config().maxConnections() / 8))));
        this.sagas = new SagaTable(pool, tables, deferred);
        this.steps = new StepTable(pool, tables, deferred);
        this.prepared = new PreparedTable(pool, tables, deferred);
        this.outbox = new OutboxTable(pool, tables);
        this.interventions = new InterventionTable(pool, tables);
    }

    /** The pool of the log's database. */
    public PgPool pool() {
        return pool;
    }

    /** The saga records deferred to each saga's next log write. */
    public DeferredWrites deferred() {
        return deferred;
    }

    /** The saga table. */
    public SagaTable sagas() {
        return sagas;
    }

    /** The step table. */
    public StepTable steps() {
        return steps;
    }

    /** The prepared-transaction table. */
    public PreparedTable prepared() {
        return prepared;
    }

    /** The outbox table. */
    public OutboxTable outbox() {
        return outbox;
    }

    /** The manual-intervention table. */
    public InterventionTable interventions() {
        return interventions;
    }

    /**
     * Logs a terminal state. {@code COMPLETED} goes through the group commit with the saga's deferred records; the
     * other states come after them, in a transaction that for {@code COMPENSATION_FAILED} puts the saga in (or keeps
     * it in) the manual-intervention queue, and for {@code ROLLED_BACK} marks a queued entry resolved. Fails with
     * {@link SagaLeaseLostException} when {@code owner} no longer holds the saga.
     */
    public Mono<Void> sagaFinished(UUID sagaId, String owner, SagaState state, String reason, List<String> errors) {
        if (state == SagaState.COMPLETED) {
            return deferred.submitWith(new LogWrite.SagaCompleted(sagaId, owner));
        }
        return deferred.flush(sagaId).then(pool.inTransaction(tx -> sagaFinishedIn(tx, sagaId, owner, state, reason, errors)).then());
    }

    /** {@link #sagaFinished} inside {@code tx}, without the group commit. */
    public Mono<Void> sagaFinishedIn(Tx tx, UUID sagaId, String owner, SagaState state, String reason, List<String> errors) {
        String errorsJson = Json.tree(errors).toString();
        return sagas.finishedIn(tx, sagaId, owner, state, reason, errorsJson)
                .then(switch (state) {
                    case COMPENSATION_FAILED -> interventions.queuedIn(tx, sagaId, reason, errorsJson);
                    case ROLLED_BACK -> interventions.rolledBackIn(tx, sagaId);
                    case RUNNING, COMPENSATING, COMPLETED -> Mono.<Void>empty();
                });
    }

    /**
     * Claims a saga that ended {@code COMPENSATION_FAILED} for a retry of its compensations, and counts the retry on
     * its queue entry, in one transaction: it becomes {@code COMPENSATING}, owned by {@code owner}. Empty when the
     * saga is not in that state (or another instance holds it).
     */
    public Mono<SagaRecord> claimForRetry(UUID sagaId, String owner, Duration lease) {
        return pool.inTransaction(tx -> sagas.claimForRetryIn(tx, sagaId, owner, lease)
                .flatMap(claimed -> interventions.retriedIn(tx, sagaId).thenReturn(claimed))).next();
    }

    /**
     * Logs a saga's transaction as {@code PREPARED} and its SQL steps as completed with their results, in one
     * transaction after the saga's deferred records, once {@code PREPARE TRANSACTION} succeeded.
     */
    public Mono<Void> prepared(UUID sagaId, String owner, String gid, List<StepRecord> sqlSteps) {
        return deferred.flush(sagaId).then(pool.inTransaction(tx -> prepared.preparedIn(tx, sagaId, owner, gid)
                .thenMany(Flux.fromIterable(sqlSteps)
                        .concatMap(row -> steps.doneIn(tx, sagaId, owner, row.stepId(), row.position(), row.result())))).then());
    }
}
