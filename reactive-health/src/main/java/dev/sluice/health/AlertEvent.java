package dev.sluice.health;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A notification of an alert: it fired (or is still firing, when re-notified), or it resolved.
 *
 * @param id           an id unique among the samples and alerts of one monitor, increasing in emission order
 * @param state        {@link State#FIRING} or {@link State#RESOLVED}
 * @param rule         the rule's name
 * @param severity     the rule's severity
 * @param subject      the pool, bucket or connection the alert is about
 * @param metric       the metric's name
 * @param value        the reading of the sample that caused this event ({@code NaN} when a resolving sample had none)
 * @param fireAt       the rule's fire threshold
 * @param resolveAt    the rule's resolve threshold
 * @param peak         the most extreme reading since the condition first held
 * @param startedAt    when the alert fired (the end of its for-duration)
 * @param endedAt      when it resolved; empty while firing
 * @param notification 1 for the first FIRING notification, 2 and up for re-notifications; a RESOLVED event repeats
 *                     the number of the last FIRING one
 * @param at           when this event was raised (the time of the sample that caused it)
 * @param summary      a one-line description for people, such as
 *                     {@code [HIGH] pool-utilisation-high: pool 'primary' pool.utilisation 95.0% above 90.0%}
 */
public record AlertEvent(long id, State state, String rule, Severity severity, Subject subject, String metric, double value,
                         double fireAt, double resolveAt, double peak, Instant startedAt, Optional<Instant> endedAt,
                         int notification, Instant at, String summary) {

    /** Whether an alert event says the alert fires or resolved. */
    public enum State {
        /** The condition held for the rule's for-duration (or still holds, on re-notification). */
        FIRING,
        /** The condition is back on the safe side of the resolve threshold. */
        RESOLVED
    }

    /** How long the alert has fired: until {@link #endedAt()} when resolved, else until {@link #at()}. */
    public Duration duration() {
        return Duration.between(startedAt, endedAt.orElse(at));
    }

    /** The rule and subject pair that identifies one alert (alerts are deduplicated on it). */
    public String key() {
        return rule + "/" + subject.kind() + "/" + subject.name();
    }

    @Override
    public String toString() {
        return summary;
    }
}
