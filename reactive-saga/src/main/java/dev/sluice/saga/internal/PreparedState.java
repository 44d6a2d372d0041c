package dev.sluice.saga.internal;

/**
 * The state of a two-phase saga's prepared transaction in the log (internal): the {@code state} column of the
 * prepared-transaction table holds each constant's name, except {@link #NONE}, which stands for no row.
 */
public enum PreparedState {
    /** No row: the global id was never recorded. */
    NONE,
    /** The global id is recorded; the transaction may be running, prepared or gone. */
    PREPARING,
    /** {@code PREPARE TRANSACTION} succeeded and the SQL steps' results are logged. */
    PREPARED,
    /** The decision to commit is logged; {@code COMMIT PREPARED} may not have run yet. */
    COMMITTING,
    /** Committed (final). */
    COMMITTED,
    /** Rolled back (final). */
    ROLLED_BACK;

    /** Whether the state is final: the row then records when it was resolved. */
    public boolean resolved() {
        return this == COMMITTED || this == ROLLED_BACK;
    }
}
