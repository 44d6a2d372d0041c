package dev.sluice.pool;

/**
 * What kind of failure an error is, decided from its SQLSTATE (or the driver exception) by
 * {@link SqlErrorClassifier}. The class decides whether a retry can help; {@link SqlErrorClassifier#knownCodes()}
 * lists every SQLSTATE mapped to each class.
 */
public enum ErrorClass {
    /** 40001: a serializable or repeatable-read transaction lost a race; re-running the whole transaction can succeed. */
    TRANSIENT_SERIALIZATION(true),
    /** 40P01: the server broke a deadlock by aborting this transaction; re-running it can succeed. */
    TRANSIENT_DEADLOCK(true),
    /**
     * Class 08, 57P01..57P03, 57P05, driver and transport I/O errors: the connection or server went away; a new
     * connection can succeed. A connection lost during {@code COMMIT} leaves the outcome unknown: only re-run
     * work that is safe to run twice.
     */
    CONNECTION(true),
    /** Class 23: the data broke a constraint; retrying the same data fails the same way. */
    CONSTRAINT(false),
    /**
     * 57014 (statement timeout or cancel), 55P03 (lock not available), 25P03 and 25P04 (idle-in-transaction and
     * transaction timeouts), R2DBC and Reactor timeouts, and {@link PoolExhaustedException} (the pool had no
     * connection in time; one whose cause says the server could not be reached is {@link #CONNECTION}): the work
     * ran out of time.
     */
    TIMEOUT(false),
    /**
     * 42501, class 28, and 25006 (a write in a read-only transaction, such as a write sent to a standby): not
     * allowed for this user or on this server; only a change of grants, credentials or routing helps.
     */
    PERMISSION(false),
    /**
     * Class 42 (but 42501), 22, 0A and 25 (but 25006, 25P03, 25P04): the statement, its data, or its place in the
     * transaction is wrong. 25P02 (a statement in a transaction that already failed) is here: the code went on
     * after an error it should have handled, and that earlier error is the one to look at.
     */
    SYNTAX(false),
    /** Class 53 and 54: the server ran out of something (connections, memory, disk, limits). */
    RESOURCE(false),
    /**
     * Anything else, including {@link PoolShutdownException} (the application is closing the pool: nothing to
     * retry, and nothing the server did wrong).
     */
    UNKNOWN(false);

    private final boolean transientFailure;

    ErrorClass(boolean transientFailure) {
        this.transientFailure = transientFailure;
    }

    /** Whether the same work may succeed when run again (with a retry policy that allows it). */
    public boolean isTransient() {
        return transientFailure;
    }
}
