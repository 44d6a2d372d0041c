package dev.sluice.pool.kv;

/** Where a bucket's stream keeps its data. */
public enum KvStorage {
    /** On disk: survives a server restart. */
    FILE,
    /** In memory: faster, lost when the server stops. */
    MEMORY
}
