package dev.sluice.health;

import reactor.core.publisher.Flux;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;

/**
 * An immutable, named set of {@link AlertRule}s. {@link #defaults()} is the standard set; {@link #with},
 * {@link #without} and {@link #map} derive new sets, so rules stay data the application can print, change and test.
 *
 * <pre>{@code
 * AlertRules rules = AlertRules.defaults()
 *         .without("pool-acquire-p95-medium")
 *         .with(AlertRule.builder("kv-slow-status", SampleMetric.BUCKET_CHECK_LATENCY)
 *                 .above(200, 100).severity(Severity.MEDIUM).forDuration(Duration.ofMinutes(1)).build())
 *         .with(AlertRule.builder("outbox-backlog", SampleMetric.gauge("saga.outbox", "saga.outbox.undelivered", Reading.Unit.COUNT))
 *                 .above(1000, 500).forDuration(Duration.ofMinutes(5)).build());
 * }</pre>
 */
public final class AlertRules {

    private static final Duration RENOTIFY = Duration.ofMinutes(10);

    private static final AlertRules DEFAULTS = new AlertRules(List.of(
            AlertRule.builder("pool-utilisation-warning", SampleMetric.POOL_UTILISATION).above(0.75, 0.70)
                    .severity(Severity.WARNING).forDuration(Duration.ofSeconds(30)).renotifyEvery(RENOTIFY).mutedWhenUnhealthy(true).build(),
            AlertRule.builder("pool-utilisation-high", SampleMetric.POOL_UTILISATION).above(0.90, 0.85)
                    .severity(Severity.HIGH).forDuration(Duration.ofSeconds(15)).renotifyEvery(RENOTIFY).mutedWhenUnhealthy(true).build(),
            AlertRule.builder("pool-waiting-warning", SampleMetric.POOL_PENDING).above(5, 2)
                    .severity(Severity.WARNING).forDuration(Duration.ofSeconds(15)).renotifyEvery(RENOTIFY).build(),
            AlertRule.builder("pool-waiting-critical", SampleMetric.POOL_PENDING).above(10, 5)
                    .severity(Severity.CRITICAL).forDuration(Duration.ofSeconds(10)).renotifyEvery(RENOTIFY).build(),
            AlertRule.builder("pool-acquire-p95-medium", SampleMetric.POOL_ACQUIRE_P95).above(5_000, 4_000)
                    .severity(Severity.MEDIUM).forDuration(Duration.ofMinutes(1)).renotifyEvery(RENOTIFY).mutedWhenUnhealthy(true).build(),
            AlertRule.builder("pool-acquire-mean-warning", SampleMetric.POOL_ACQUIRE_MEAN).above(100, 80)
                    .severity(Severity.WARNING).forDuration(Duration.ofSeconds(30)).minSamples(10).renotifyEvery(RENOTIFY)
                    .mutedWhenUnhealthy(true).build(),
            AlertRule.builder("pool-acquire-mean-critical", SampleMetric.POOL_ACQUIRE_MEAN).above(500, 400)
                    .severity(Severity.CRITICAL).forDuration(Duration.ofSeconds(15)).minSamples(10).renotifyEvery(RENOTIFY)
                    .mutedWhenUnhealthy(true).build(),
            AlertRule.builder("pool-error-rate-high", SampleMetric.POOL_ERROR_RATE).above(0.05, 0.03)
                    .severity(Severity.HIGH).forDuration(Duration.ofSeconds(30)).minSamples(20).renotifyEvery(RENOTIFY).build(),
            AlertRule.builder("pool-check-success-warning", SampleMetric.POOL_CHECK_SUCCESS).below(0.99, 0.995)
                    .severity(Severity.WARNING).minSamples(20).renotifyEvery(RENOTIFY).build(),
            AlertRule.builder("pool-check-success-critical", SampleMetric.POOL_CHECK_SUCCESS).below(0.95, 0.98)
                    .severity(Severity.CRITICAL).minSamples(20).renotifyEvery(RENOTIFY).build()));

    private final Map<String, AlertRule> rules;

    private AlertRules(List<AlertRule> rules) {
        Map<String, AlertRule> byName = new LinkedHashMap<>();
        for (AlertRule rule : rules) {
            if (byName.put(rule.name(), rule) != null) {
                throw new IllegalArgumentException("two alert rules are named '" + rule.name() + "'; names must be unique");
            }
        }
        this.rules = byName;
    }

    /**
     * The standard rules of brief section 3.4, for pools: utilisation over 75% (WARNING) and 90% (HIGH); waiting
     * callers over 5 (WARNING) and 10 (CRITICAL); acquire p95 over 5 s (MEDIUM); mean acquire over 100 ms (WARNING)
     * and 500 ms (CRITICAL); acquire error rate over 5% (HIGH); check success under 99% (WARNING) and 95% (CRITICAL).
     * Resolve thresholds, for-durations and minimum samples are listed in the module README.
     */
    public static AlertRules defaults() {
        return DEFAULTS;
    }

    /** No rules. */
    public static AlertRules none() {
        return new AlertRules(List.of());
    }

    /**
     * A set of exactly these rules.
     *
     * @throws IllegalArgumentException when two rules share a name
     */
    public static AlertRules of(AlertRule... rules) {
        return new AlertRules(Arrays.asList(rules));
    }

    /** This set plus {@code added}; a rule with the name of an existing one replaces it in place. */
    public AlertRules with(AlertRule... added) {
        Map<String, AlertRule> copy = new LinkedHashMap<>(rules);
        for (AlertRule rule : added) {
            copy.put(rule.name(), rule);
        }
        return new AlertRules(new ArrayList<>(copy.values()));
    }

    /**
     * This set without the rules named.
     *
     * @throws IllegalArgumentException naming a rule that is not in the set (a typo would otherwise keep it)
     */
    public AlertRules without(String... names) {
        Map<String, AlertRule> copy = new LinkedHashMap<>(rules);
        for (String name : names) {
            if (copy.remove(name) == null) {
                throw new IllegalArgumentException("no alert rule named '" + name + "'; the rules are " + rules.keySet());
            }
        }
        return new AlertRules(new ArrayList<>(copy.values()));
    }

    /** This set with every rule replaced by {@code change.apply(rule)} (names must stay unique). */
    public AlertRules map(UnaryOperator<AlertRule> change) {
        return new AlertRules(rules.values().stream().map(change).toList());
    }

    /** The rules, in order. */
    public List<AlertRule> rules() {
        return List.copyOf(rules.values());
    }

    /** The rule with this name, if any. */
    public Optional<AlertRule> rule(String name) {
        return Optional.ofNullable(rules.get(name));
    }

    /** The rules' names, in order. */
    public Set<String> names() {
        return Collections.unmodifiableSet(rules.keySet());
    }

    /**
     * Evaluates the rules on a stream of samples, as {@link HealthMonitor} does.
     *
     * <p>Cold: each subscription keeps its own alert state (nothing is shared between subscriptions) and numbers
     * its events from 1. Emits the FIRING and RESOLVED events the samples cause, in sample order, on the thread that
     * emits the samples; time is the samples' {@link HealthSample#at()}, so the outcome does not depend on when
     * samples arrive. Completes and fails with {@code samples}; cancelling cancels {@code samples}.
     */
    public Flux<AlertEvent> evaluate(Flux<? extends HealthSample> samples) {
        return Flux.defer(() -> {
            AtomicLong ids = new AtomicLong();
            AlertEvaluator evaluator = new AlertEvaluator(rules(), ids::incrementAndGet);
            return samples.concatMapIterable(evaluator::accept);
        });
    }

    /**
     * A fresh evaluator of these rules, numbering its events from 1: the synchronous form of {@link #evaluate}, fed
     * one sample at a time.
     */
    public AlertEvaluator evaluator() {
        AtomicLong ids = new AtomicLong();
        return new AlertEvaluator(rules(), ids::incrementAndGet);
    }

    AlertEvaluator evaluator(LongSupplier ids) {
        return new AlertEvaluator(rules(), ids);
    }

    @Override
    public String toString() {
        return "AlertRules" + rules.keySet();
    }
}
