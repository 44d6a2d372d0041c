package dev.sluice.saga;

/** The consistency check vetoed a saga's commit; the saga is compensated and ends rolled back with this reason. */
public final class SagaVetoException extends RuntimeException {

    /** @param reason the check's reason */
    public SagaVetoException(String reason) {
        super("consistency check vetoed the commit: " + reason);
    }
}
