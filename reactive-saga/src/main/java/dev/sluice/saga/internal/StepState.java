package dev.sluice.saga.internal;

/** A step's state in the log (internal). */
public enum StepState {
    STARTED, COMPLETED, FAILED, COMPENSATING, COMPENSATED, COMPENSATION_FAILED;

    /** Whether the step's effect is known to have happened and not yet been undone. */
    public boolean needsCompensation() {
        return this == COMPLETED || this == COMPENSATING || this == COMPENSATION_FAILED;
    }

    /** Whether the step was logged before its effect but its outcome was not recorded. */
    public boolean uncertain() {
        return this == STARTED || this == FAILED;
    }
}
