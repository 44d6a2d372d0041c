package dev.sluice.health;

import dev.sluice.pool.check.HealthStatus;
import dev.sluice.pool.check.Reading;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A condition on a {@link SampleMetric} that raises an alert: plain data, built with {@link #builder(String, SampleMetric)}
 * and held in {@link AlertRules}. It watches the samples of its metric's kind (every subject of that kind, or the one
 * named by {@link #subject()}), whatever check produced them.
 *
 * <p>Semantics, per rule and subject (one alert at most for each pair):
 * <ul>
 *   <li>a sample whose reading crosses {@code fireAt} starts a pending episode; the alert fires
 *       ({@link AlertEvent.State#FIRING}) at the first sample at least {@code forDuration} after the episode began,
 *       provided every sample in between crossed {@code fireAt} too (otherwise the episode is dropped);</li>
 *   <li>once firing, it resolves ({@link AlertEvent.State#RESOLVED}, with start, end and peak) at the first sample
 *       back on the safe side of {@code resolveAt}; values between the two thresholds keep it firing, so a value
 *       hovering around {@code fireAt} does not flap;</li>
 *   <li>readings resting on fewer than {@code minSamples} observations never start or keep a pending episode, and
 *       count as clear for a firing one (no data is no evidence of trouble);</li>
 *   <li>while firing it is notified again every {@code renotifyEvery} ({@link Duration#ZERO}: never);</li>
 *   <li>with {@code mutedWhenUnhealthy}, nothing is notified while the subject's own check is
 *       {@link HealthStatus#UNHEALTHY} or its pool's circuit breaker is open: the alert still goes pending, fires and
 *       resolves, and is notified if it is still firing when the subject recovers; an alert never notified as
 *       firing is not notified as resolved.</li>
 * </ul>
 *
 * @param name               unique name within a rule set, such as {@code pool-utilisation-high}
 * @param severity           how urgent the alert is
 * @param metric             what is measured
 * @param comparison         which side of the thresholds is trouble
 * @param fireAt             the threshold that starts an episode
 * @param resolveAt          the threshold that resolves a firing alert; on the safe side of (or equal to) {@code fireAt}
 * @param forDuration        how long the condition must hold before the alert fires; zero fires at once
 * @param minSamples         the least basis a reading needs to count (see {@link Reading#basis()}); above 1 only for
 *                           {@link SampleMetric#counted() counted} metrics
 * @param renotifyEvery      interval between notifications of a still-firing alert; zero for never
 * @param mutedWhenUnhealthy whether an unhealthy subject or open breaker mutes it (utilisation and latency rules)
 * @param subject            the one subject (by name) of the metric's kind it watches; empty for every subject of the kind
 */
public record AlertRule(String name, Severity severity, SampleMetric metric, Comparison comparison, double fireAt, double resolveAt,
                        Duration forDuration, long minSamples, Duration renotifyEvery, boolean mutedWhenUnhealthy,
                        Optional<String> subject) {

    /**
     * Validates the rule.
     *
     * @throws IllegalArgumentException naming the rule and the setting at fault
     */
    public AlertRule {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(comparison, "comparison");
        Objects.requireNonNull(forDuration, "forDuration");
        Objects.requireNonNull(renotifyEvery, "renotifyEvery");
        Objects.requireNonNull(subject, "subject");
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
            throw new IllegalArgumentException("alert rule name '" + name + "' must be 1 to 100 letters, digits, '.', '_' or '-'");
        }
        if (Double.isNaN(fireAt) || Double.isNaN(resolveAt)) {
            throw new IllegalArgumentException("alert rule '" + name + "': thresholds must be numbers");
        }
        if (comparison.breaches(resolveAt, fireAt)) {
            throw new IllegalArgumentException("alert rule '" + name + "': resolveAt " + resolveAt + " must not be " + comparison.word()
                    + " fireAt " + fireAt + " (it would never resolve)");
        }
        if (forDuration.isNegative()) {
            throw new IllegalArgumentException("alert rule '" + name + "': forDuration must not be negative, was " + forDuration);
        }
        if (renotifyEvery.isNegative()) {
            throw new IllegalArgumentException("alert rule '" + name + "': renotifyEvery must not be negative (zero for never), was " + renotifyEvery);
        }
        if (minSamples < 1) {
            throw new IllegalArgumentException("alert rule '" + name + "': minSamples must be at least 1, was " + minSamples);
        }
        if (minSamples > 1 && !metric.counted()) {
            throw new IllegalArgumentException("alert rule '" + name + "': minSamples " + minSamples + " needs a counted metric (a rate or mean); "
                    + metric.name() + " is a gauge whose readings rest on one observation");
        }
    }

    /** A builder for a rule on {@code metric}: severity WARNING, fires at once, one sample, no re-notification, not muted. */
    public static Builder builder(String name, SampleMetric metric) {
        return new Builder(name, metric);
    }

    /** A builder holding this rule's settings, to derive a changed copy. */
    public Builder toBuilder() {
        Builder b = new Builder(name, metric);
        b.severity = severity;
        b.comparison = comparison;
        b.fireAt = fireAt;
        b.resolveAt = resolveAt;
        b.forDuration = forDuration;
        b.minSamples = minSamples;
        b.renotifyEvery = renotifyEvery;
        b.mutedWhenUnhealthy = mutedWhenUnhealthy;
        b.subject = subject.orElse(null);
        return b;
    }

    /** Whether this rule watches {@code sample}: its kind is the metric's, and its subject the rule's when one is named. */
    public boolean appliesTo(HealthSample sample) {
        return metric.appliesTo(sample) && (subject.isEmpty() || subject.get().equals(sample.name()));
    }

    /** This rule with another for-duration. */
    public AlertRule withForDuration(Duration forDuration) {
        return toBuilder().forDuration(forDuration).build();
    }

    /** For messages: {@code pool.utilisation above 90.0% (resolves at or below 85.0%) for PT15S}. */
    @Override
    public String toString() {
        return name + " [" + severity + "]: " + metric.name() + " " + comparison.word() + " " + metric.format(fireAt)
                + " (resolves at " + metric.format(resolveAt) + ") for " + forDuration.toMillis() + " ms";
    }

    /** Builds an {@link AlertRule}; {@link #build()} validates. */
    public static final class Builder {
        private final String name;
        private SampleMetric metric;
        private Severity severity = Severity.WARNING;
        private Comparison comparison;
        private double fireAt = Double.NaN;
        private double resolveAt = Double.NaN;
        private Duration forDuration = Duration.ZERO;
        private long minSamples = 1;
        private Duration renotifyEvery = Duration.ZERO;
        private boolean mutedWhenUnhealthy;
        private String subject;

        private Builder(String name, SampleMetric metric) {
            this.name = name;
            this.metric = metric;
        }

        /** The metric measured. */
        public Builder metric(SampleMetric metric) {
            this.metric = metric;
            return this;
        }

        /** Fires above {@code fireAt}, resolves at or below {@code resolveAt} (at most {@code fireAt}). */
        public Builder above(double fireAt, double resolveAt) {
            this.comparison = Comparison.ABOVE;
            this.fireAt = fireAt;
            this.resolveAt = resolveAt;
            return this;
        }

        /** Fires below {@code fireAt}, resolves at or above {@code resolveAt} (at least {@code fireAt}). */
        public Builder below(double fireAt, double resolveAt) {
            this.comparison = Comparison.BELOW;
            this.fireAt = fireAt;
            this.resolveAt = resolveAt;
            return this;
        }

        /** How urgent the alert is. */
        public Builder severity(Severity severity) {
            this.severity = severity;
            return this;
        }

        /** How long the condition must hold before firing. */
        public Builder forDuration(Duration forDuration) {
            this.forDuration = forDuration;
            return this;
        }

        /** The least basis a reading needs to count (counted metrics only). */
        public Builder minSamples(long minSamples) {
            this.minSamples = minSamples;
            return this;
        }

        /** Interval between notifications of a still-firing alert; zero for never. */
        public Builder renotifyEvery(Duration renotifyEvery) {
            this.renotifyEvery = renotifyEvery;
            return this;
        }

        /** Whether an unhealthy subject or an open breaker mutes the alert. */
        public Builder mutedWhenUnhealthy(boolean muted) {
            this.mutedWhenUnhealthy = muted;
            return this;
        }

        /** Watches only the subject named {@code name} of the metric's kind (every subject by default). */
        public Builder subject(String name) {
            this.subject = Objects.requireNonNull(name, "subject");
            return this;
        }

        /**
         * Builds the rule.
         *
         * @throws IllegalArgumentException when no thresholds were given ({@link #above} or {@link #below}) or a setting
         *                                  is invalid, naming the rule and the setting
         */
        public AlertRule build() {
            if (comparison == null) {
                throw new IllegalArgumentException("alert rule '" + name + "': give its thresholds with above(fire, resolve) or below(fire, resolve)");
            }
            return new AlertRule(name, severity, metric, comparison, fireAt, resolveAt, forDuration, minSamples, renotifyEvery, mutedWhenUnhealthy,
                    Optional.ofNullable(subject));
        }
    }
}
