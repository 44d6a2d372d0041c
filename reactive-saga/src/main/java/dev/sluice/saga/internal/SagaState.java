package dev.sluice.saga.internal;

import dev.sluice.saga.SagaOutcome;

/**
 * A saga's state in the log (internal): the {@code state} column of the saga table holds each constant's name, and
 * the log's SQL (and the table's check constraint) names them literally.
 */
public enum SagaState {
    RUNNING, COMPENSATING, COMPLETED, ROLLED_BACK, COMPENSATION_FAILED;

    /** The state a saga that ended with {@code outcome} is logged in. */
    public static SagaState of(SagaOutcome outcome) {
        return switch (outcome) {
            case COMPLETED -> COMPLETED;
            case ROLLED_BACK -> ROLLED_BACK;
            case COMPENSATION_FAILED -> COMPENSATION_FAILED;
        };
    }
}
