package dev.sluice.pool;

/** The state of a pool's circuit breaker. */
public enum BreakerState {
    /** Calls pass; failures are counted. */
    CLOSED,
    /** Calls fail at once with {@link CircuitOpenException}. */
    OPEN,
    /** A few probe calls pass to decide whether to close again. */
    HALF_OPEN,
    /** The pool has no breaker ({@link CircuitBreakerPolicy#DISABLED}). */
    DISABLED
}
