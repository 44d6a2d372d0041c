package dev.sluice.pool;

import io.r2dbc.spi.R2dbcTimeoutException;

import java.time.Duration;

/**
 * No connection could be had in time: the acquire timeout passed, or too many callers were already waiting.
 * The message names the pool, its size, how many connections were in use and how many callers waiting,
 * how long this caller waited, and what to change. It is an {@link R2dbcTimeoutException}, so R2DBC code
 * that handles timeouts handles it.
 */
public final class PoolExhaustedException extends R2dbcTimeoutException {

    private static final String SIZE_FIX = "Fix: raise maxConnections (check the server's max_connections first), lower the "
            + "concurrency of callers, shorten the work done while holding a connection, or look for leaks "
            + "(set leakDetectionThreshold)";
    private static final String SERVER_FIX = "Fix: make the server reachable (see the cause); the pool keeps trying to "
            + "connect for up to acquireTimeout, so a longer acquireTimeout rides out a longer restart";

    private final String pool;
    private final int maxConnections;
    private final int acquired;
    private final int pending;
    private final Duration waited;

    public PoolExhaustedException(String pool, int maxConnections, int acquired, int pending, Duration waited, String reason) {
        this(pool, maxConnections, acquired, pending, waited, reason, null);
    }

    /**
     * @param cause the last error of opening a connection, when the server could not be reached while the caller
     *              waited (the message then points at the server instead of the pool's size)
     */
    public PoolExhaustedException(String pool, int maxConnections, int acquired, int pending, Duration waited, String reason,
                                  Throwable cause) {
        super("pool '" + pool + "' is exhausted: " + reason + " after waiting " + waited.toMillis() + " ms; "
                + acquired + " of " + maxConnections + " connections in use, " + pending + " callers waiting. "
                + (cause == null ? SIZE_FIX : SERVER_FIX), cause);
        this.pool = pool;
        this.maxConnections = maxConnections;
        this.acquired = acquired;
        this.pending = pending;
        this.waited = waited;
    }

    /** The pool's name. */
    public String pool() {
        return pool;
    }

    /** The pool's maximum size. */
    public int maxConnections() {
        return maxConnections;
    }

    /** Connections in use when the acquire gave up. */
    public int acquired() {
        return acquired;
    }

    /** Callers waiting when the acquire gave up. */
    public int pending() {
        return pending;
    }

    /** How long this caller waited. */
    public Duration waited() {
        return waited;
    }
}
