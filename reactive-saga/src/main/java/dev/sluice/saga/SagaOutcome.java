package dev.sluice.saga;

/** How a saga ended. */
public enum SagaOutcome {
    /** Every step succeeded and the consistency check (if any) allowed the commit. */
    COMPLETED,
    /** A step failed (or the consistency check vetoed); every completed step was compensated. */
    ROLLED_BACK,
    /**
     * A step failed and at least one compensation still failed after its retries; the saga is in the
     * manual-intervention queue ({@link ManualInterventionQueue}).
     */
    COMPENSATION_FAILED
}
