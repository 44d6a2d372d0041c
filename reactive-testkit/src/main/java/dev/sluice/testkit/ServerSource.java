package dev.sluice.testkit;

/** Where a test server came from, in the order the testkit tries them. */
public enum ServerSource {
    /** A server the user runs, named by {@code SLUICE_PG_URL} or {@code SLUICE_NATS_URL}; never started or stopped by the testkit. */
    EXTERNAL,
    /** A container started through Testcontainers because a Docker engine answered. */
    TESTCONTAINERS,
    /** A process started by the testkit on a loopback port: embedded PostgreSQL or {@code nats-server -js}. */
    EMBEDDED
}
