package dev.sluice.health;

/** The outcome of a health check, from best to worst. */
public enum HealthStatus {
    /** The check answered within its degraded threshold. */
    HEALTHY,
    /** The check answered, but slower than its degraded threshold. */
    DEGRADED,
    /** The check failed or did not answer within its time limit. */
    UNHEALTHY;

    /** The worse of this status and {@code other}. */
    public HealthStatus worse(HealthStatus other) {
        return compareTo(other) >= 0 ? this : other;
    }
}
