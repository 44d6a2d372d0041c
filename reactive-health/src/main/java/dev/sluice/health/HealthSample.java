package dev.sluice.health;

import dev.sluice.pool.check.HealthStatus;
import dev.sluice.pool.check.Reading;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One subject's state at one sampling round: what its {@link dev.sluice.pool.check.HealthCheck} found (status,
 * readings, details), how long the check took, and how often its recent checks answered. The same record for every
 * kind of check, built-in or not. Immutable.
 *
 * <p>The built-in checks' readings and details are listed in the module README: pools ({@link Subject#POOL}) read
 * {@code pool.connections.active}, {@code pool.utilisation}, {@code pool.error.rate}, ... and detail {@code role}
 * and {@code breaker}; buckets ({@link Subject#KV}) and NATS connections ({@link Subject#NATS}) likewise.
 *
 * @param id               an id unique among the samples and alerts of one monitor, increasing in emission order
 * @param round            the sampling round, from 1
 * @param at               when the round began (by the monitor's scheduler clock)
 * @param subject          what the sample is about
 * @param tags             the check's tags, for meters
 * @param status           the subject's status in this round: the check's, DEGRADED when it answered slower than its
 *                         {@code degradedAfter}, UNHEALTHY when it failed or ran out of time
 * @param latency          how long the check took (about its time limit when it ran out of time)
 * @param error            why the status is not HEALTHY, when there is a reason (always for UNHEALTHY)
 * @param checkedAt        when the check ended
 * @param readings         the numbers the check measured, by name
 * @param details          facts in words, by name
 * @param checkSuccessRate share of the checks in the window that answered (HEALTHY or DEGRADED), 0 to 1
 * @param checks           how many checks {@code checkSuccessRate} counts: the last ones up to the history size
 */
public record HealthSample(long id, long round, Instant at, Subject subject, Map<String, String> tags, HealthStatus status,
                           Duration latency, Optional<String> error, Instant checkedAt, Map<String, Reading> readings,
                           Map<String, String> details, double checkSuccessRate, int checks) {

    /** The detail a pool sample gives its circuit-breaker state in ({@code CLOSED}, {@code OPEN}, ...). */
    public static final String BREAKER = "breaker";
    /** The detail a pool sample gives its role in ({@code PRIMARY}, {@code REPLICA}, ...). */
    public static final String ROLE = "role";

    /** Copies the maps. */
    public HealthSample {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(status, "status");
        tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
        readings = Collections.unmodifiableMap(new LinkedHashMap<>(readings));
        details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    /** The subject's kind. */
    public String kind() {
        return subject.kind();
    }

    /** The subject's name. */
    public String name() {
        return subject.name();
    }

    /** Whether the check answered (HEALTHY or DEGRADED). */
    public boolean answered() {
        return status != HealthStatus.UNHEALTHY;
    }

    /** The reading named {@code name}, if the check measured it. */
    public Optional<Reading> reading(String name) {
        return Optional.ofNullable(readings.get(name));
    }

    /** The value of the reading named {@code name}, or NaN when the check did not measure it. */
    public double value(String name) {
        Reading reading = readings.get(name);
        return reading == null ? Double.NaN : reading.value();
    }

    /** The detail named {@code name}, if the check gave it. */
    public Optional<String> detail(String name) {
        return Optional.ofNullable(details.get(name));
    }
}
