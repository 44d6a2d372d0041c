package dev.sluice.pool;

/** How a pooled connection is checked before it is handed out. */
public enum ValidationMode {
    /** No check at all: the cheapest, and a broken connection is found by the first statement. */
    NONE,
    /** The driver's local view: is the socket still open? No round trip. The default. */
    LOCAL,
    /** A round trip to the server (the driver's ping). */
    REMOTE,
    /** A round trip running the configured validation query. */
    QUERY
}
