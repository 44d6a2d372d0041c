package dev.sluice.saga;

/**
 * How a saga keeps PostgreSQL and JetStream KV consistent; chosen per definition with
 * {@link SagaDefinition.Builder#coordination(Coordination)}.
 */
public enum Coordination {

    /**
     * Each step commits on its own; when a step fails, the completed steps are compensated in reverse order. The
     * default: steps of every kind, in any order and in parallel groups.
     */
    SAGA,

    /**
     * The PostgreSQL part commits atomically with the decision to commit. The SQL steps run first, in definition
     * order, in one transaction on their (single) pool, which is ended with {@code PREPARE TRANSACTION} under a
     * global id recorded in the log beforehand; then the other steps (KV writes, {@code Mono}s) run as in
     * {@link #SAGA}; then the consistency check; then the decision is logged and the transaction is ended with
     * {@code COMMIT PREPARED}. When a later step fails or the check vetoes, the other steps are compensated and the
     * transaction ended with {@code ROLLBACK PREPARED}: the SQL steps need no compensation SQL. Recovery ends
     * prepared transactions left by a crash according to the log, so none stays in {@code pg_prepared_xacts}.
     * A prepared transaction keeps its row locks until it is ended; the server must allow prepared transactions
     * ({@code max_prepared_transactions} above 0). SQL steps' timeouts and retry policies do not apply: the
     * transaction runs once per attempt of the saga.
     */
    TWO_PHASE,

    /**
     * PostgreSQL commits now and KV follows. The SQL steps run in one transaction on their (single) pool (or the
     * log's pool when there are none), which also writes one outbox row per {@link SagaStep#kvPut kvPut} step (key
     * and value computed from the context) and per {@link SagaStep#kvDelete kvDelete} step (key only), and the
     * saga's {@code COMPLETED} record, after the consistency check. The executor's {@link OutboxRelay} then applies
     * the rows to KV with retries, in order per key (a put, or a delete marker), each with a message id so a repeated
     * delivery is stored once; the writes are blind: they do not compare revisions. Only SQL, {@code kvPut} and
     * {@code kvDelete} steps are allowed ({@code kvCreate} and {@code kvUpdate} depend on the key's value when they
     * apply, which the relay does not read); a failure rolls the whole transaction back ({@code ROLLED_BACK},
     * nothing to compensate). SQL steps' timeouts and retry policies do not apply.
     */
    EVENTUAL
}
