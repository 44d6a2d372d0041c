package dev.sluice.pool;

/**
 * What kind of failure an error is, decided from its SQLSTATE (or the driver exception) by
 * {@link SqlErrorClassifier}. The class decides whether a retry can help.
 */
public enum ErrorClass {
    /** 40001: a serializable or repeatable-read transaction lost a race; re-running the whole transaction can succeed. */
    TRANSIENT_SERIALIZATION(true),
    /** 40P01: the server broke a deadlock by aborting this transaction; re-running it can succeed. */
    TRANSIENT_DEADLOCK(true),
    /** Class 08, 57P01..57P03, driver I/O errors: the connection or server went away; a new connection can succeed. */
    CONNECTION(true),
    /** Class 23: the data broke a constraint; retrying the same data fails the same way. */
    CONSTRAINT(false),
    /** 57014 (statement timeout or cancel), 55P03 (lock not available): the statement ran out of time. */
    TIMEOUT(false),
    /** 42501 and class 28: not allowed. */
    PERMISSION(false),
    /** Class 42 (but 42501), 22 and 0A: the statement or its data is wrong. */
    SYNTAX(false),
    /** Class 53 and 54: the server ran out of something (connections, memory, disk, limits). */
    RESOURCE(false),
    /** Anything else. */
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
