package dev.sluice.pool;

import dev.sluice.pool.config.ConfigException;
import dev.sluice.pool.config.Problems;
import dev.sluice.pool.config.Setting;

import java.time.Duration;

/**
 * When a pool's circuit breaker opens, and how it closes again.
 *
 * <p>Only failures that say the database is unreachable or too slow count: {@link ErrorClass#CONNECTION} and
 * {@link ErrorClass#TIMEOUT} (acquire timeouts included). A constraint violation or a syntax error shows the
 * database is answering, and counts as a success. A connection the acquire could not open but then opened on a
 * later attempt is no failure at all: the caller never saw it.
 *
 * <p>The breaker opens when, over the last {@code window}, at least {@code minimumCalls} calls ended, at
 * least {@code failureRatePercent} of them failed, and the failures span at least
 * {@code minimumFailureDuration}: from the start of the earliest failed call in the window to the end of the
 * latest. The span tells a blip from an outage. A server restart fails the statements in flight within a few
 * milliseconds of each other, and must not turn into seconds of refused calls; a server that stays away fails
 * calls over seconds (an acquire that waited its whole timeout alone spans that timeout). While open, callers
 * fail at once with {@link CircuitOpenException}; after {@code waitInOpenState} up to {@code halfOpenCalls}
 * probe calls go through, and the first probe that succeeds closes the breaker (the first that fails opens it
 * again).
 *
 * <p>A time window (not the last N calls) keeps the decision independent of the call rate: at thousands of
 * calls a second, N calls are a few milliseconds. Its cost is that, at high rates, the successes before an
 * outage must age out of the window before the failure rate can reach the threshold, so the window bounds
 * how long callers wait behind a dead server before they fail fast.
 *
 * @param enabled                whether the pool has a breaker
 * @param failureRatePercent     1 to 100
 * @param window                 the time over which calls are counted, 1 s to 1 h
 * @param minimumCalls           calls in the window needed before the rate counts, 1 to 1,000,000
 * @param minimumFailureDuration how long the failures in the window must span, 0 to the window
 * @param waitInOpenState        how long the breaker stays open before probing, 1 ms to 1 h
 * @param halfOpenCalls          probe calls let through at once while half open, 1 to 1,000
 */
public record CircuitBreakerPolicy(boolean enabled, int failureRatePercent, Duration window, int minimumCalls,
                                   Duration minimumFailureDuration, Duration waitInOpenState, int halfOpenCalls) {

    /** Failure rate, in percent of the calls in the window, at which the breaker opens. */
    public static final Setting<Integer> FAILURE_RATE_PERCENT = Setting.integer("failureRatePercent", 50, 1, 100);
    /** The time over which calls are counted. */
    public static final Setting<Duration> WINDOW = Setting.duration("window", Duration.ofSeconds(5), Duration.ofSeconds(1),
            Duration.ofHours(1));
    /** Calls in the window needed before the rate counts. */
    public static final Setting<Integer> MINIMUM_CALLS = Setting.integer("minimumCalls", 20, 1, 1_000_000);
    /** How long the failures in the window must span (at most the window). */
    public static final Setting<Duration> MINIMUM_FAILURE_DURATION = Setting.duration("minimumFailureDuration", Duration.ofSeconds(2),
            Duration.ZERO, Duration.ofHours(1));
    /** How long the breaker stays open before probing. */
    public static final Setting<Duration> WAIT_IN_OPEN_STATE = Setting.duration("waitInOpenState", Duration.ofSeconds(1),
            Duration.ofMillis(1), Duration.ofHours(1));
    /** Probe calls let through at once while half open. */
    public static final Setting<Integer> HALF_OPEN_CALLS = Setting.integer("halfOpenCalls", 1, 1, 1_000);

    /**
     * 50% failures over 5 s with at least 20 calls, the failures spanning at least 2 s; 1 s open, then one
     * probe. With the default acquire timeout of 5 s, a server that is gone for good opens the breaker about
     * 5 to 6 s after it went (within two default health intervals), while a restart that fails the statements
     * in flight all at once never opens it. The short open time keeps recovery quick: a returning server is
     * used again within about a second.
     */
    public static final CircuitBreakerPolicy DEFAULT = new CircuitBreakerPolicy(true, FAILURE_RATE_PERCENT.defaultValue(),
            WINDOW.defaultValue(), MINIMUM_CALLS.defaultValue(), MINIMUM_FAILURE_DURATION.defaultValue(), WAIT_IN_OPEN_STATE.defaultValue(),
            HALF_OPEN_CALLS.defaultValue());
    /** No breaker. */
    public static final CircuitBreakerPolicy DISABLED = new CircuitBreakerPolicy(false, FAILURE_RATE_PERCENT.defaultValue(),
            WINDOW.defaultValue(), MINIMUM_CALLS.defaultValue(), MINIMUM_FAILURE_DURATION.defaultValue(), WAIT_IN_OPEN_STATE.defaultValue(),
            HALF_OPEN_CALLS.defaultValue());

    /**
     * @throws ConfigException listing every field out of range, each with its value and the valid range
     */
    public CircuitBreakerPolicy {
        Problems problems = new Problems("circuitBreaker");
        problems.check(FAILURE_RATE_PERCENT, failureRatePercent);
        problems.check(WINDOW, window);
        problems.check(MINIMUM_CALLS, minimumCalls);
        problems.check(MINIMUM_FAILURE_DURATION, minimumFailureDuration);
        if (window != null && minimumFailureDuration != null && WINDOW.problem(window) == null
                && minimumFailureDuration.compareTo(window) > 0) {
            problems.add(MINIMUM_FAILURE_DURATION, minimumFailureDuration, "must be at most the window (" + WINDOW.show(window) + ")");
        }
        problems.check(WAIT_IN_OPEN_STATE, waitInOpenState);
        problems.check(HALF_OPEN_CALLS, halfOpenCalls);
        problems.throwIfAny();
    }

    /** This policy with another failure rate threshold. */
    public CircuitBreakerPolicy withFailureRatePercent(int percent) {
        return new CircuitBreakerPolicy(enabled, percent, window, minimumCalls, minimumFailureDuration, waitInOpenState, halfOpenCalls);
    }

    /** This policy with another window. */
    public CircuitBreakerPolicy withWindow(Duration window) {
        return new CircuitBreakerPolicy(enabled, failureRatePercent, window, minimumCalls, minimumFailureDuration, waitInOpenState, halfOpenCalls);
    }

    /** This policy with another minimum number of calls. */
    public CircuitBreakerPolicy withMinimumCalls(int calls) {
        return new CircuitBreakerPolicy(enabled, failureRatePercent, window, calls, minimumFailureDuration, waitInOpenState, halfOpenCalls);
    }

    /** This policy with another minimum span of the failures. */
    public CircuitBreakerPolicy withMinimumFailureDuration(Duration duration) {
        return new CircuitBreakerPolicy(enabled, failureRatePercent, window, minimumCalls, duration, waitInOpenState, halfOpenCalls);
    }

    /** This policy with another open time. */
    public CircuitBreakerPolicy withWaitInOpenState(Duration wait) {
        return new CircuitBreakerPolicy(enabled, failureRatePercent, window, minimumCalls, minimumFailureDuration, wait, halfOpenCalls);
    }

    /** This policy with another number of probe calls. */
    public CircuitBreakerPolicy withHalfOpenCalls(int calls) {
        return new CircuitBreakerPolicy(enabled, failureRatePercent, window, minimumCalls, minimumFailureDuration, waitInOpenState, calls);
    }
}
