package dev.sluice.health;

import java.time.Instant;

/**
 * One subject's state at one sampling round: a {@link PoolSample}, a {@link BucketSample} or a
 * {@link ConnectionSample}. Immutable.
 */
public sealed interface HealthSample permits PoolSample, BucketSample, ConnectionSample {

    /** An id unique among the samples and alerts of one monitor, increasing in emission order. */
    long id();

    /** The sampling round, from 1. */
    long round();

    /** When the round began (by the monitor's scheduler clock). */
    Instant at();

    /** What the sample is about. */
    Subject subject();

    /** The check of this round. */
    CheckResult check();

    /** Share of the checks in the window that answered (healthy or degraded), 0 to 1. */
    double checkSuccessRate();

    /** How many checks {@link #checkSuccessRate()} counts: the last ones up to the history size. */
    int checks();

    /** The subject's status: that of this round's check. */
    default HealthStatus status() {
        return check().status();
    }
}
