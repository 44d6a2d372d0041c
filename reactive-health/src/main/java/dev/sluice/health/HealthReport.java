package dev.sluice.health;

import dev.sluice.pool.check.HealthStatus;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Everything one sampling round found: a sample per subject, the overall status, readiness and the alerts firing.
 *
 * @param round        the round, from 1
 * @param at           when the round began
 * @param status       the worst status of all subjects (HEALTHY when there is none)
 * @param readiness    whether the application is ready, and why not
 * @param samples      one sample per subject: pools, buckets and NATS connections, then the configured checks in order
 * @param activeAlerts the latest notification of every alert firing after this round
 */
public record HealthReport(long round, Instant at, HealthStatus status, Readiness readiness, List<HealthSample> samples,
                           List<AlertEvent> activeAlerts) {

    /** Copies the lists. */
    public HealthReport {
        samples = List.copyOf(samples);
        activeAlerts = List.copyOf(activeAlerts);
    }

    /** The samples of subjects of {@code kind} (such as {@link Subject#POOL}), in round order. */
    public List<HealthSample> samples(String kind) {
        return samples.stream().filter(s -> s.kind().equals(kind)).toList();
    }

    /** The pool samples, in registry order. */
    public List<HealthSample> pools() {
        return samples(Subject.POOL);
    }

    /** The sample of {@code subject}, if it was sampled. */
    public Optional<HealthSample> sample(Subject subject) {
        return samples.stream().filter(s -> s.subject().equals(subject)).findFirst();
    }
}
