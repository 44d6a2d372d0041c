package dev.sluice.health;

import dev.sluice.pool.PoolRole;
import dev.sluice.pool.check.HealthCheck;
import dev.sluice.pool.config.ConfigException;
import dev.sluice.pool.config.Durations;
import dev.sluice.pool.config.Problems;
import dev.sluice.pool.config.Setting;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Every setting of a {@link HealthMonitor}, immutable and validated by {@link Builder#build()}.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>default</th><th>range</th></tr>
 *   <tr><td>{@code interval}</td><td>5 s</td><td>100 ms to 1 h</td></tr>
 *   <tr><td>{@code poolCheckTimeout} / {@code poolDegradedAfter}</td><td>the smaller of 1 s and the interval / 100 ms</td><td>1 ms to the interval / 0 to the timeout</td></tr>
 *   <tr><td>{@code bucketCheckTimeout} / {@code bucketDegradedAfter}</td><td>the smaller of 1 s and the interval / 50 ms</td><td>same</td></tr>
 *   <tr><td>{@code connectionCheckTimeout} / {@code connectionDegradedAfter}</td><td>the smaller of 1 s and the interval / 50 ms</td><td>same</td></tr>
 *   <tr><td>{@code history}</td><td>100 samples per subject</td><td>2 to 100,000</td></tr>
 *   <tr><td>{@code rateWindow}</td><td>the larger of 1 min and the interval</td><td>the interval to 1 day</td></tr>
 *   <tr><td>{@code rules}</td><td>{@link AlertRules#defaults()}</td><td></td></tr>
 *   <tr><td>{@code sinks}</td><td>{@link AlertSink#log()}</td><td></td></tr>
 *   <tr><td>{@code readinessRoles}</td><td>every role</td><td></td></tr>
 *   <tr><td>{@code checks}</td><td>none besides the registry's pools, buckets and NATS connections</td><td>time limits 1 ms to the interval (default: the smaller of 1 s and the interval)</td></tr>
 *   <tr><td>{@code outsideReadiness}</td><td>none</td><td>kinds of checks that never affect readiness</td></tr>
 *   <tr><td>{@code scheduler}</td><td>{@link Schedulers#parallel()}</td><td>timers and clock</td></tr>
 * </table>
 *
 * <p>A check's time limit may not exceed the interval: that keeps one sampling round within one interval, so a
 * failure shows in the next sample or the one after.
 */
public final class HealthConfig {

    /** Time between two sampling rounds. */
    public static final Setting<Duration> INTERVAL = Setting.duration("interval", Duration.ofSeconds(5), Duration.ofMillis(100),
            Duration.ofHours(1));
    /** Samples kept per subject. */
    public static final Setting<Integer> HISTORY = Setting.integer("history", 100, 2, 100_000);
    /** A check's time limit (at most the interval, checked in {@link Builder#build()}). */
    public static final Setting<Duration> CHECK_TIMEOUT = Setting.duration("checkTimeout", Duration.ofSeconds(1), Duration.ofMillis(1),
            Duration.ofHours(1));
    /** How slow an answer makes a check degraded (at most its time limit). */
    public static final Setting<Duration> DEGRADED_AFTER = Setting.duration("degradedAfter", Duration.ofMillis(100), Duration.ZERO,
            Duration.ofHours(1));
    /** The window of error rates and mean acquire waits (at least the interval). */
    public static final Setting<Duration> RATE_WINDOW = Setting.duration("rateWindow", Duration.ofMinutes(1), Duration.ofMillis(100),
            Duration.ofDays(1));
    private static final Duration DEFAULT_TIMEOUT = CHECK_TIMEOUT.defaultValue();
    private static final Set<String> BUILT_IN_KINDS = Set.of(Subject.POOL, Subject.KV, Subject.NATS);

    private final Duration interval;
    private final Duration poolCheckTimeout;
    private final Duration poolDegradedAfter;
    private final Duration bucketCheckTimeout;
    private final Duration bucketDegradedAfter;
    private final Duration connectionCheckTimeout;
    private final Duration connectionDegradedAfter;
    private final int history;
    private final Duration rateWindow;
    private final AlertRules rules;
    private final List<AlertSink> sinks;
    private final Set<PoolRole> readinessRoles;
    private final List<HealthCheck> checks;
    private final Duration checkTimeout;
    private final Set<String> outsideReadiness;
    private final Scheduler scheduler;

    private HealthConfig(Builder b, Duration poolTimeout, Duration bucketTimeout, Duration connectionTimeout, Duration rateWindow) {
        this.interval = b.interval;
        this.poolCheckTimeout = poolTimeout;
        this.poolDegradedAfter = b.poolDegradedAfter;
        this.bucketCheckTimeout = bucketTimeout;
        this.bucketDegradedAfter = b.bucketDegradedAfter;
        this.connectionCheckTimeout = connectionTimeout;
        this.connectionDegradedAfter = b.connectionDegradedAfter;
        this.history = b.history;
        this.rateWindow = rateWindow;
        this.rules = b.rules;
        this.sinks = List.copyOf(b.sinks);
        this.readinessRoles = Set.copyOf(b.readinessRoles);
        this.checks = List.copyOf(b.checks);
        this.checkTimeout = b.fallbackTimeout();
        this.outsideReadiness = Set.copyOf(b.outsideReadiness);
        this.scheduler = b.scheduler;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults. */
    public static HealthConfig defaults() {
        return builder().build();
    }

    /** Time between two sampling rounds. */
    public Duration interval() {
        return interval;
    }

    /** Time limit of a pool's {@code SELECT 1}, acquire included. */
    public Duration poolCheckTimeout() {
        return poolCheckTimeout;
    }

    /** A pool check slower than this is DEGRADED. */
    public Duration poolDegradedAfter() {
        return poolDegradedAfter;
    }

    /** Time limit of a bucket's status request. */
    public Duration bucketCheckTimeout() {
        return bucketCheckTimeout;
    }

    /** A bucket check slower than this is DEGRADED. */
    public Duration bucketDegradedAfter() {
        return bucketDegradedAfter;
    }

    /** Time limit of the NATS round-trip measurement. */
    public Duration connectionCheckTimeout() {
        return connectionCheckTimeout;
    }

    /** A NATS connection whose round trip is slower than this is DEGRADED. */
    public Duration connectionDegradedAfter() {
        return connectionDegradedAfter;
    }

    /** Samples kept per subject; also the most checks a check success rate counts. */
    public int history() {
        return history;
    }

    /** The window of error rates and mean acquire waits. */
    public Duration rateWindow() {
        return rateWindow;
    }

    /** The alert rules evaluated on every sample. */
    public AlertRules rules() {
        return rules;
    }

    /** Where alert events are delivered besides {@link HealthMonitor#alerts()}. */
    public List<AlertSink> sinks() {
        return sinks;
    }

    /** The roles of the pools whose state decides readiness. */
    public Set<PoolRole> readinessRoles() {
        return readinessRoles;
    }

    /**
     * The checks run besides the registry's pools, buckets and NATS connections, in order (each sample of a round
     * follows the built-in ones in this order).
     */
    public List<HealthCheck> checks() {
        return checks;
    }

    /** The time limit of a configured check that names none ({@link HealthCheck#timeLimit()} empty): the smaller of 1 s and the interval. */
    public Duration checkTimeout() {
        return checkTimeout;
    }

    /** The time limit of {@code check}: its own, or {@link #checkTimeout()}. */
    public Duration timeLimitOf(HealthCheck check) {
        return check.timeLimit().orElse(checkTimeout);
    }

    /** The kinds of checks that never affect readiness (they still count in the overall status). */
    public Set<String> outsideReadiness() {
        return outsideReadiness;
    }

    /** The scheduler of the sampling timer, the check timeouts and the clock that stamps samples. */
    public Scheduler scheduler() {
        return scheduler;
    }

    @Override
    public String toString() {
        return "HealthConfig[interval=" + interval.toMillis() + "ms, poolCheckTimeout=" + poolCheckTimeout.toMillis()
                + "ms, bucketCheckTimeout=" + bucketCheckTimeout.toMillis() + "ms, connectionCheckTimeout="
                + connectionCheckTimeout.toMillis() + "ms, history=" + history + ", rateWindow=" + rateWindow.toMillis()
                + "ms, rules=" + rules.names() + ", sinks=" + sinks.size() + ", readinessRoles=" + readinessRoles + ", checks="
                + checks.stream().map(c -> new Subject(c.kind(), c.name()).toString()).toList() + "]";
    }

    /** Builds a {@link HealthConfig}. */
    public static final class Builder {
        private Duration interval = INTERVAL.defaultValue();
        private Duration poolCheckTimeout;
        private Duration poolDegradedAfter = DEGRADED_AFTER.defaultValue();
        private Duration bucketCheckTimeout;
        private Duration bucketDegradedAfter = Duration.ofMillis(50);
        private Duration connectionCheckTimeout;
        private Duration connectionDegradedAfter = Duration.ofMillis(50);
        private int history = HISTORY.defaultValue();
        private Duration rateWindow;
        private AlertRules rules = AlertRules.defaults();
        private final List<AlertSink> sinks = new ArrayList<>(List.of(AlertSink.log()));
        private Set<PoolRole> readinessRoles = EnumSet.allOf(PoolRole.class);
        private final List<HealthCheck> checks = new ArrayList<>();
        private final Set<String> outsideReadiness = new LinkedHashSet<>();
        private Scheduler scheduler = Schedulers.parallel();

        private Builder() {
        }

        /** Time between two sampling rounds, 100 ms to 1 h; 5 s by default. */
        public Builder interval(Duration interval) {
            this.interval = Objects.requireNonNull(interval, "interval");
            return this;
        }

        /** Time limit of a pool check; by default the smaller of 1 s and the interval. */
        public Builder poolCheckTimeout(Duration timeout) {
            this.poolCheckTimeout = Objects.requireNonNull(timeout, "poolCheckTimeout");
            return this;
        }

        /** A pool check slower than this is DEGRADED; 100 ms by default. */
        public Builder poolDegradedAfter(Duration threshold) {
            this.poolDegradedAfter = Objects.requireNonNull(threshold, "poolDegradedAfter");
            return this;
        }

        /** Time limit of a bucket check; by default the smaller of 1 s and the interval. */
        public Builder bucketCheckTimeout(Duration timeout) {
            this.bucketCheckTimeout = Objects.requireNonNull(timeout, "bucketCheckTimeout");
            return this;
        }

        /** A bucket check slower than this is DEGRADED; 50 ms by default. */
        public Builder bucketDegradedAfter(Duration threshold) {
            this.bucketDegradedAfter = Objects.requireNonNull(threshold, "bucketDegradedAfter");
            return this;
        }

        /** Time limit of the NATS round-trip check; by default the smaller of 1 s and the interval. */
        public Builder connectionCheckTimeout(Duration timeout) {
            this.connectionCheckTimeout = Objects.requireNonNull(timeout, "connectionCheckTimeout");
            return this;
        }

        /** A NATS round trip slower than this is DEGRADED; 50 ms by default. */
        public Builder connectionDegradedAfter(Duration threshold) {
            this.connectionDegradedAfter = Objects.requireNonNull(threshold, "connectionDegradedAfter");
            return this;
        }

        /** Samples kept per subject, 2 to 100,000; 100 by default. */
        public Builder history(int history) {
            this.history = history;
            return this;
        }

        /** The window of error rates and mean acquire waits, from the interval to 1 day; the larger of 1 min and the interval by default. */
        public Builder rateWindow(Duration rateWindow) {
            this.rateWindow = Objects.requireNonNull(rateWindow, "rateWindow");
            return this;
        }

        /** The alert rules; {@link AlertRules#defaults()} by default, {@link AlertRules#none()} for none. */
        public Builder rules(AlertRules rules) {
            this.rules = Objects.requireNonNull(rules, "rules");
            return this;
        }

        /** Adds a sink (the log sink is there by default; {@link #noSinks()} removes it). */
        public Builder sink(AlertSink sink) {
            this.sinks.add(Objects.requireNonNull(sink, "sink"));
            return this;
        }

        /** Removes every sink, the default log sink included. */
        public Builder noSinks() {
            this.sinks.clear();
            return this;
        }

        /** The roles of the pools whose state decides readiness; every role by default. */
        public Builder readinessRoles(Set<PoolRole> roles) {
            this.readinessRoles = EnumSet.noneOf(PoolRole.class);
            this.readinessRoles.addAll(roles);
            return this;
        }

        /**
         * Adds a check to run every round besides the registry's pools, buckets and NATS connections: a user's own
         * dependency, or a module's checks (such as reactive-saga's {@code SagaHealthChecks}). Its samples are
         * evaluated by the alert rules, published by {@code HealthMetrics} and served by {@code HealthEndpoint}
         * like the built-in ones.
         */
        public Builder check(HealthCheck check) {
            this.checks.add(Objects.requireNonNull(check, "check"));
            return this;
        }

        /** Adds every check of {@code checks}, in order (see {@link #check}). */
        public Builder checks(Iterable<? extends HealthCheck> checks) {
            for (HealthCheck check : Objects.requireNonNull(checks, "checks")) {
                check(check);
            }
            return this;
        }

        /**
         * Checks of these kinds never affect readiness: for conditions of the whole system that taking one instance
         * out of rotation does not help, such as a backlog in a shared queue.
         */
        public Builder outsideReadiness(String... kinds) {
            for (String kind : kinds) {
                outsideReadiness.add(Objects.requireNonNull(kind, "outsideReadiness kind"));
            }
            return this;
        }

        /** The scheduler of the timer, the timeouts and the clock; {@link Schedulers#parallel()} by default. */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws ConfigException listing every setting out of its range, each with its value and the fix
         */
        public HealthConfig build() {
            Problems problems = new Problems("health");
            problems.check(INTERVAL, interval);
            problems.check(HISTORY, history);
            boolean intervalOk = INTERVAL.problem(interval) == null;
            Duration fallback = DEFAULT_TIMEOUT.compareTo(interval) < 0 ? DEFAULT_TIMEOUT : interval;
            Duration pool = timeout(problems, intervalOk, "poolCheckTimeout", poolCheckTimeout, fallback, poolDegradedAfter, "poolDegradedAfter");
            Duration bucket = timeout(problems, intervalOk, "bucketCheckTimeout", bucketCheckTimeout, fallback, bucketDegradedAfter,
                    "bucketDegradedAfter");
            Duration connection = timeout(problems, intervalOk, "connectionCheckTimeout", connectionCheckTimeout, fallback,
                    connectionDegradedAfter, "connectionDegradedAfter");
            Duration window = rateWindow != null ? rateWindow
                    : interval.compareTo(RATE_WINDOW.defaultValue()) > 0 ? interval : RATE_WINDOW.defaultValue();
            problems.check(RATE_WINDOW, window);
            if (intervalOk && RATE_WINDOW.problem(window) == null && window.compareTo(interval) < 0) {
                problems.add(RATE_WINDOW, window, "must be at least the interval (" + INTERVAL.show(interval) + ")");
            }
            checkChecks(problems, intervalOk);
            problems.throwIfAny();
            return new HealthConfig(this, pool, bucket, connection, window);
        }

        private Duration fallbackTimeout() {
            return DEFAULT_TIMEOUT.compareTo(interval) < 0 ? DEFAULT_TIMEOUT : interval;
        }

        private void checkChecks(Problems problems, boolean intervalOk) {
            for (String kind : outsideReadiness) {
                if (!Subject.KIND.matcher(kind).matches()) {
                    problems.add("outsideReadiness", kind, "must be dotted lower-case words such as 'saga.outbox'");
                }
            }
            Set<Subject> seen = new HashSet<>();
            for (HealthCheck check : checks) {
                Subject subject = new Subject(check.kind(), check.name());
                String setting = "check " + subject;
                if (BUILT_IN_KINDS.contains(subject.kind())) {
                    problems.add("check", subject, "uses the kind of the built-in " + subject.kind() + " checks, which the monitor "
                            + "runs for the registry itself; give your check a kind of its own");
                }
                if (!seen.add(subject)) {
                    problems.add("check", subject, "two checks have this kind and name; give each check of a kind its own name");
                }
                Duration limit = check.timeLimit().orElse(fallbackTimeout());
                if (limit.compareTo(Duration.ofMillis(1)) < 0 || intervalOk && limit.compareTo(interval) > 0) {
                    problems.add(setting + " timeLimit", Durations.format(limit), "must be from 1ms to the interval ("
                            + INTERVAL.show(interval) + "), so that one round of checks fits in one interval");
                }
                Duration degraded = check.degradedAfter().orElse(Duration.ZERO);
                if (degraded.isNegative() || degraded.compareTo(limit) > 0) {
                    problems.add(setting + " degradedAfter", Durations.format(degraded), "must be from 0 to its time limit ("
                            + Durations.format(limit) + ")");
                }
            }
        }

        private Duration timeout(Problems problems, boolean intervalOk, String name, Duration given, Duration fallback,
                                 Duration degradedAfter, String degradedName) {
            Duration timeout = given == null ? fallback : given;
            if (!intervalOk) {
                return timeout;
            }
            if (timeout.compareTo(Duration.ofMillis(1)) < 0 || timeout.compareTo(interval) > 0) {
                problems.add(name, Durations.format(timeout), "must be from 1ms to the interval (" + INTERVAL.show(interval)
                        + "), so that one round of checks fits in one interval");
            } else if (degradedAfter.isNegative() || degradedAfter.compareTo(timeout) > 0) {
                problems.add(degradedName, Durations.format(degradedAfter), "must be from 0 to " + name + " (" + Durations.format(timeout) + ")");
            }
            return timeout;
        }
    }
}
