package dev.sluice.pool.kv;

import dev.sluice.pool.LatencySummary;
import java.util.Map;

/**
 * Counters of one store since the stores started: operations started by kind, failures by kind and by operation,
 * operations cancelled by their subscriber, latency of successful operations, and watch consumers re-created.
 *
 * @param bucket      the bucket's name on the server
 * @param operations  operations started, by kind
 * @param errors      failed operations, by kind of failure
 * @param cancelled   operations cancelled before they completed
 * @param latencies   latency of successful operations, by kind (kinds never completed are absent)
 * @param watches     watches (and keys/history scans) running now
 * @param watchResets times a watch re-created its server-side consumer (after a gap or missed heartbeats)
 */
public record KvStoreStats(String bucket, Map<KvOperation, Long> operations, Map<KvErrorKind, Long> errors, long cancelled,
                           Map<KvOperation, LatencySummary> latencies, int watches, long watchResets) {

    /** Operations started, all kinds together. */
    public long totalOperations() {
        return operations.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Failures, all kinds together. */
    public long totalErrors() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }
}
