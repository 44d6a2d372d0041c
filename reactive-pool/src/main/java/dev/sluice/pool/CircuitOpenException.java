package dev.sluice.pool;

import io.r2dbc.spi.R2dbcTransientResourceException;

/**
 * The pool's circuit breaker is open: the database recently failed too often, so this call failed at once
 * without waiting on it. It is transient (the breaker probes again after its wait), but retrying at once is
 * pointless, so retry policies never retry it.
 */
public final class CircuitOpenException extends R2dbcTransientResourceException {

    private final String pool;

    public CircuitOpenException(String pool, BreakerState state, java.time.Duration wait) {
        super("pool '" + pool + "': circuit breaker is " + state + " after too many connection failures or timeouts; "
                + "failing at once instead of waiting on the database. It lets probe calls through "
                + wait.toMillis() + " ms after opening; check the database and the network");
        this.pool = pool;
    }

    /** The pool whose breaker refused the call. */
    public String pool() {
        return pool;
    }
}
