package dev.sluice.saga;

import java.util.UUID;

/**
 * This instance no longer owns a saga: its lease expired and another instance claimed it (it will finish it).
 * Every log write is fenced by the owner id, so a late writer stops at its next write instead of racing the new
 * owner.
 */
public final class SagaLeaseLostException extends RuntimeException {

    private final UUID sagaId;

    /**
     * @param sagaId the saga
     * @param owner  this instance's owner id
     */
    public SagaLeaseLostException(UUID sagaId, String owner) {
        super("saga " + sagaId + " is no longer owned by '" + owner + "': its lease expired and another instance claimed it");
        this.sagaId = sagaId;
    }

    /** The saga this instance lost. */
    public UUID sagaId() {
        return sagaId;
    }
}
