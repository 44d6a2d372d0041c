package dev.sluice.health;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The outcome of one health check.
 *
 * @param subject what was checked
 * @param status  {@link HealthStatus#HEALTHY} when it answered within the degraded threshold, {@link HealthStatus#DEGRADED}
 *                when slower, {@link HealthStatus#UNHEALTHY} when it failed or timed out
 * @param latency how long the check took (its time limit when it timed out)
 * @param error   why it failed, when it did: the error's type and message, or the time limit it ran out of
 * @param at      when the check ended
 */
public record CheckResult(Subject subject, HealthStatus status, Duration latency, Optional<String> error, Instant at) {

    /** Whether the check answered (healthy or degraded). */
    public boolean answered() {
        return status != HealthStatus.UNHEALTHY;
    }
}
