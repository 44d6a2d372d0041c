package dev.sluice.saga;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Something that happened to a saga, published by {@link SagaExecutor#events()}.
 *
 * @param type          what happened
 * @param sagaId        the saga
 * @param sagaName      its definition's name
 * @param correlationId its correlation id
 * @param stepId        the step concerned, for step events
 * @param detail        a readable detail (an error message, a reason), may be empty
 * @param at            when the executor saw it
 */
public record SagaEvent(Type type, UUID sagaId, String sagaName, String correlationId, Optional<String> stepId, String detail,
                        Instant at) {

    /** Kinds of saga events. */
    public enum Type {
        /** The saga was accepted and its first step is about to run (its record commits with that step's start). */
        STARTED,
        /** A step's effect happened (its record commits with the saga's next log write). */
        STEP_COMPLETED,
        /** A step failed after its retries. */
        STEP_FAILED,
        /** The saga began compensating its completed steps. */
        COMPENSATING,
        /** A step's compensation happened and was recorded. */
        STEP_COMPENSATED,
        /** A step's compensation failed after its retries. */
        COMPENSATION_STEP_FAILED,
        /** The saga completed. */
        COMPLETED,
        /** The saga was rolled back. */
        ROLLED_BACK,
        /** The saga ended with a failed compensation and was queued for manual intervention. */
        COMPENSATION_FAILED,
        /** This instance claimed the saga after its previous owner's lease expired, and resumes it. */
        RECOVERED,
        /** Another instance took the saga over; this instance stopped working on it. */
        LEASE_LOST
    }
}
