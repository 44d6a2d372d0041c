package dev.sluice.bench.report;

import java.util.Map;
import java.util.Objects;

/**
 * What one system (Sluice or a peer) achieved in one scenario, merged over every round it was measured in.
 *
 * <p>A skipped system has a reason in {@link #skipped()} and no numbers (every numeric field is null).
 *
 * @param name        the system's name in {@code results.json}: {@code sluice}, {@code r2dbc-pool}, {@code hikaricp},
 *                    {@code pgbench}, {@code jnats} or {@code sluice-health-off}
 * @param opsPerSec   successful operations per second over the measurement windows
 * @param p50Ms       median latency of one operation, milliseconds (HdrHistogram)
 * @param p99Ms       99th percentile latency, milliseconds
 * @param maxMs       largest latency seen, milliseconds
 * @param errors      operations that failed during the measurement windows
 * @param peakThreads peak live threads of the benchmark JVM while the system was open (for a child process such
 *                    as pgbench: that process's own threads)
 * @param heapBytes   heap in use right after a full collection at the end of the window, while the callers were
 *                    still in flight (null for a child process)
 * @param skipped     why the system was not measured, or null
 * @param details     further numbers, by name (thread accounting, per-operation latencies, error samples)
 */
public record SystemResult(String name, Double opsPerSec, Double p50Ms, Double p99Ms, Double maxMs, Long errors,
                           Integer peakThreads, Long heapBytes, String skipped, Map<String, Object> details) {

    public SystemResult {
        Objects.requireNonNull(name, "name");
        details = details == null ? Map.of() : Map.copyOf(details);
    }

    /** A system that was not measured, and why. */
    public static SystemResult skipped(String name, String reason) {
        return new SystemResult(name, null, null, null, null, null, null, null, Objects.requireNonNull(reason, "reason"), Map.of());
    }

    /** Whether the system has numbers. */
    public boolean measured() {
        return skipped == null && opsPerSec != null;
    }
}
