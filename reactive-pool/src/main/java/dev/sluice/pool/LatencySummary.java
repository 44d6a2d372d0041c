package dev.sluice.pool;

import java.time.Duration;

/**
 * Latency of completed operations of one kind since they were first counted: a pool's acquires
 * ({@link PoolStats#acquireLatency()}), a KV store's reads and writes ({@link dev.sluice.pool.kv.KvStoreStats}).
 *
 * @param count number of operations measured
 * @param p50   median
 * @param p95   95th percentile
 * @param p99   99th percentile
 * @param max   slowest
 */
public record LatencySummary(long count, Duration p50, Duration p95, Duration p99, Duration max) {

    /** No operation measured. */
    public static final LatencySummary EMPTY = new LatencySummary(0, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO);
}
