package dev.sluice.health;

import dev.sluice.health.internal.Durations;
import dev.sluice.pool.BreakerState;
import dev.sluice.pool.check.HealthStatus;
import dev.sluice.pool.check.Reading;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The alert state of one rule set: one episode per rule and subject, fed one sample at a time, synchronously. What
 * {@link AlertRules#evaluate} and {@link HealthMonitor} run; get one from {@link AlertRules#evaluator()} to evaluate
 * samples without a stream (in a benchmark, or from your own sampler). Time is the samples' {@link HealthSample#at()}.
 * Not thread-safe: feed it from one sequence of samples (see {@link AlertRule} for the semantics).
 */
public final class AlertEvaluator {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    private final List<AlertRule> rules;
    private final LongSupplier ids;
    private final Map<Key, Episode> episodes = new LinkedHashMap<>();

    private record Key(String rule, Subject subject) {
    }

    private static final class Episode {
        final Instant pendingSince;
        Instant firingSince;
        double peak;
        boolean notified;
        Instant lastNotified;
        int notifications;
        AlertEvent lastFiring;

        Episode(Instant pendingSince, double value) {
            this.pendingSince = pendingSince;
            this.peak = value;
        }
    }

    AlertEvaluator(List<AlertRule> rules, LongSupplier ids) {
        this.rules = List.copyOf(rules);
        this.ids = ids;
    }

    /** Evaluates every rule on {@code sample} and returns the events it causes, in rule order. */
    public List<AlertEvent> accept(HealthSample sample) {
        List<AlertEvent> events = new ArrayList<>(0);
        boolean inhibited = inhibits(sample);
        for (AlertRule rule : rules) {
            if (rule.appliesTo(sample)) {
                evaluate(rule, sample, inhibited, events);
            }
        }
        return events;
    }

    /** The latest FIRING notification of every alert that fires and was notified, in the order they began. */
    public List<AlertEvent> active() {
        List<AlertEvent> active = new ArrayList<>();
        for (Episode episode : episodes.values()) {
            if (episode.firingSince != null && episode.notified) {
                active.add(episode.lastFiring);
            }
        }
        return active;
    }

    private static boolean inhibits(HealthSample sample) {
        return sample.status() == HealthStatus.UNHEALTHY
                || sample.detail(HealthSample.BREAKER).filter(BreakerState.OPEN.name()::equals).isPresent();
    }

    private void evaluate(AlertRule rule, HealthSample sample, boolean inhibited, List<AlertEvent> events) {
        Optional<Reading> reading = rule.metric().read(sample);
        boolean enough = reading.isPresent() && reading.get().basis() >= rule.minSamples();
        double value = reading.filter(r -> r.basis() > 0).map(Reading::value).orElse(Double.NaN);
        boolean breach = enough && rule.comparison().breaches(value, rule.fireAt());
        boolean clear = !enough || rule.comparison().clears(value, rule.resolveAt());
        Key key = new Key(rule.name(), sample.subject());
        Instant at = sample.at();
        Episode episode = episodes.get(key);
        if (episode == null) {
            if (!breach) {
                return;
            }
            episode = new Episode(at, value);
            episodes.put(key, episode);
        } else if (episode.firingSince == null) {
            if (!breach) {
                episodes.remove(key);
                return;
            }
            episode.peak = rule.comparison().worst(episode.peak, value);
        } else {
            if (clear) {
                episodes.remove(key);
                if (episode.notified) {
                    events.add(resolved(rule, sample, episode, value));
                }
                return;
            }
            if (enough) {
                episode.peak = rule.comparison().worst(episode.peak, value);
            }
        }
        if (episode.firingSince == null && !Duration.between(episode.pendingSince, at).minus(rule.forDuration()).isNegative()) {
            episode.firingSince = at;
        }
        if (episode.firingSince == null || inhibited && rule.mutedWhenUnhealthy()) {
            return;
        }
        boolean renotify = episode.notified && !rule.renotifyEvery().isZero()
                && !Duration.between(episode.lastNotified, at).minus(rule.renotifyEvery()).isNegative();
        if (!episode.notified || renotify) {
            episode.notified = true;
            episode.lastNotified = at;
            episode.notifications++;
            episode.lastFiring = firing(rule, sample, episode, value);
            events.add(episode.lastFiring);
        }
    }

    private AlertEvent firing(AlertRule rule, HealthSample sample, Episode episode, double value) {
        String summary = "[" + rule.severity() + "] " + rule.name() + ": " + sample.subject() + " " + rule.metric().name() + " "
                + rule.metric().format(value) + " " + rule.comparison().word() + " " + rule.metric().format(rule.fireAt())
                + " since " + TIME.format(episode.firingSince)
                + (episode.notifications > 1 ? " (still firing, notification " + episode.notifications + ")" : "");
        return new AlertEvent(ids.getAsLong(), AlertEvent.State.FIRING, rule.name(), rule.severity(), sample.subject(), rule.metric().name(),
                value, rule.fireAt(), rule.resolveAt(), episode.peak, episode.firingSince, Optional.empty(), episode.notifications,
                sample.at(), summary);
    }

    private AlertEvent resolved(AlertRule rule, HealthSample sample, Episode episode, double value) {
        Duration lasted = Duration.between(episode.firingSince, sample.at());
        String summary = "[" + rule.severity() + "] " + rule.name() + ": " + sample.subject() + " resolved after "
                + Durations.words(lasted) + ", " + rule.metric().name() + " now " + rule.metric().format(value) + ", peak "
                + rule.metric().format(episode.peak);
        return new AlertEvent(ids.getAsLong(), AlertEvent.State.RESOLVED, rule.name(), rule.severity(), sample.subject(), rule.metric().name(),
                value, rule.fireAt(), rule.resolveAt(), episode.peak, episode.firingSince, Optional.of(sample.at()), episode.notifications,
                sample.at(), summary);
    }
}
