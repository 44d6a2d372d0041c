package dev.sluice.health;

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
 * @param samples      one sample per pool, bucket and NATS connection, in that order
 * @param activeAlerts the latest notification of every alert firing after this round
 */
public record HealthReport(long round, Instant at, HealthStatus status, Readiness readiness, List<HealthSample> samples,
                           List<AlertEvent> activeAlerts) {

    /** Copies the lists. */
    public HealthReport {
        samples = List.copyOf(samples);
        activeAlerts = List.copyOf(activeAlerts);
    }

    /** The pool samples, in registry order. */
    public List<PoolSample> pools() {
        return samples.stream().filter(PoolSample.class::isInstance).map(PoolSample.class::cast).toList();
    }

    /** The bucket samples, in configuration order. */
    public List<BucketSample> buckets() {
        return samples.stream().filter(BucketSample.class::isInstance).map(BucketSample.class::cast).toList();
    }

    /** The NATS connection samples, in pool order. */
    public List<ConnectionSample> connections() {
        return samples.stream().filter(ConnectionSample.class::isInstance).map(ConnectionSample.class::cast).toList();
    }

    /** The sample of {@code subject}, if it was sampled. */
    public Optional<HealthSample> sample(Subject subject) {
        return samples.stream().filter(s -> s.subject().equals(subject)).findFirst();
    }
}
