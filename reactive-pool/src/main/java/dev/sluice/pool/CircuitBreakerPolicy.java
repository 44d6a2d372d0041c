package dev.sluice.pool;

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

    private static final Duration MIN_WINDOW = Duration.ofSeconds(1);
    private static final Duration MAX_DURATION = Duration.ofHours(1);

    /**
     * 50% failures over 5 s with at least 20 calls, the failures spanning at least 2 s; 1 s open, then one
     * probe. With the default acquire timeout of 5 s, a server that is gone for good opens the breaker about
     * 5 to 6 s after it went (within two default health intervals), while a restart that fails the statements
     * in flight all at once never opens it. The short open time keeps recovery quick: a returning server is
     * used again within about a second.
     */
    public static final CircuitBreakerPolicy DEFAULT = new CircuitBreakerPolicy(true, 50, Duration.ofSeconds(5), 20,
            Duration.ofSeconds(2), Duration.ofSeconds(1), 1);
    /** No breaker. */
    public static final CircuitBreakerPolicy DISABLED = new CircuitBreakerPolicy(false, 50, Duration.ofSeconds(5), 20,
            Duration.ofSeconds(2), Duration.ofSeconds(1), 1);

    /**
     * @throws ConfigException naming the field, the value and the valid range
     */
    public CircuitBreakerPolicy {
        if (failureRatePercent < 1 || failureRatePercent > 100) {
            throw new ConfigException("circuitBreaker failureRatePercent", failureRatePercent, "must be between 1 and 100");
        }
        if (window == null || window.compareTo(MIN_WINDOW) < 0 || window.compareTo(MAX_DURATION) > 0) {
            throw new ConfigException("circuitBreaker window", window, "must be between 1 s and 1 h");
        }
        if (minimumCalls < 1 || minimumCalls > 1_000_000) {
            throw new ConfigException("circuitBreaker minimumCalls", minimumCalls, "must be between 1 and 1000000");
        }
        if (minimumFailureDuration == null || minimumFailureDuration.isNegative() || minimumFailureDuration.compareTo(window) > 0) {
            throw new ConfigException("circuitBreaker minimumFailureDuration", minimumFailureDuration,
                    "must be between 0 and the window (" + window.toMillis() + " ms)");
        }
        if (waitInOpenState == null || waitInOpenState.compareTo(Duration.ofMillis(1)) < 0 || waitInOpenState.compareTo(MAX_DURATION) > 0) {
            throw new ConfigException("circuitBreaker waitInOpenState", waitInOpenState, "must be between 1 ms and 1 h");
        }
        if (halfOpenCalls < 1 || halfOpenCalls > 1_000) {
            throw new ConfigException("circuitBreaker halfOpenCalls", halfOpenCalls, "must be between 1 and 1000");
        }
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
