package dev.sluice.pool;

/** A {@link CommitCheck} vetoed the commit; the transaction was rolled back. */
public final class TxVetoException extends RuntimeException {

    private final String reason;

    public TxVetoException(String pool, String reason) {
        super("pool '" + pool + "': the commit check vetoed the transaction, which was rolled back: " + reason);
        this.reason = reason;
    }

    /** The check's reason. */
    public String reason() {
        return reason;
    }
}
