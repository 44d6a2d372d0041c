package dev.sluice.bench.report;

import java.util.Objects;

/**
 * One system at one number of concurrent callers, in the caller sweep of the pool round trip.
 *
 * @param callers   concurrent callers
 * @param system    the system's name
 * @param opsPerSec successful operations per second
 * @param p50Ms     median latency, milliseconds
 * @param p99Ms     99th percentile latency, milliseconds
 * @param errors    failed operations
 */
public record SweepPoint(int callers, String system, double opsPerSec, double p50Ms, double p99Ms, long errors) {

    public SweepPoint {
        Objects.requireNonNull(system, "system");
    }
}
