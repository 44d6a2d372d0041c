package dev.sluice.pool.check;

/** The outcome of a health check, from best to worst. */
public enum HealthStatus {
    /** The check answered and found nothing wrong. */
    HEALTHY,
    /** The check answered, but found the subject slow or near a limit; it still works. */
    DEGRADED,
    /** The check failed, did not answer within its time limit, or found the subject not working. */
    UNHEALTHY;

    /** The worse of this status and {@code other}. */
    public HealthStatus worse(HealthStatus other) {
        return compareTo(other) >= 0 ? this : other;
    }
}
