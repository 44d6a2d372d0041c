package dev.sluice.pool;

/**
 * What a transaction does, when no isolation level is given: the level is chosen from it
 * ({@link #isolation()}).
 */
public enum WorkKind {
    /** Reads only: {@link Isolation#READ_COMMITTED}, and the transaction is read-only. */
    READ_ONLY(Isolation.READ_COMMITTED),
    /** Writes to state other callers also write: {@link Isolation#REPEATABLE_READ}, so lost updates fail instead of passing silently. */
    SHARED_WRITE(Isolation.REPEATABLE_READ),
    /** Writes to shared state that must agree with another system: {@link Isolation#SERIALIZABLE}. */
    CROSS_SYSTEM_WRITE(Isolation.SERIALIZABLE);

    private final Isolation isolation;

    WorkKind(Isolation isolation) {
        this.isolation = isolation;
    }

    /** The isolation level this kind of work runs at. */
    public Isolation isolation() {
        return isolation;
    }
}
