package dev.sluice.pool;

import java.time.Duration;

/**
 * When a pool's circuit breaker (Resilience4j) opens. Only failures that say the database is unreachable
 * or too slow count: {@link ErrorClass#CONNECTION} and {@link ErrorClass#TIMEOUT} (acquire timeouts
 * included); a constraint violation or a syntax error shows the database is answering, and counts as a
 * success. When the failure rate over the last {@code slidingWindowSize} calls (at least
 * {@code minimumCalls} of them) reaches {@code failureRatePercent}, the breaker opens: callers fail at once
 * with {@link CircuitOpenException} for {@code waitInOpenState}, then {@code halfOpenCalls} probe calls
 * decide whether it closes again.
 *
 * @param enabled            whether the pool has a breaker
 * @param failureRatePercent 1 to 100
 * @param slidingWindowSize  calls looked at, 1 to 10,000
 * @param minimumCalls       calls needed before the rate counts, 1 to 10,000
 * @param waitInOpenState    how long the breaker stays open before probing, 1 ms to 1 h
 * @param halfOpenCalls      probe calls, 1 to 1,000
 */
public record CircuitBreakerPolicy(boolean enabled, int failureRatePercent, int slidingWindowSize, int minimumCalls,
                                   Duration waitInOpenState, int halfOpenCalls) {

    /**
     * 50% failures over the last 20 calls (at least 10), 1 s open, 3 probes. The short open window keeps
     * recovery quick (a restarted database is used again within about a second) while a dead one still
     * costs callers almost nothing: between probes they fail at once.
     */
    public static final CircuitBreakerPolicy DEFAULT = new CircuitBreakerPolicy(true, 50, 20, 10, Duration.ofSeconds(1), 3);
    /** No breaker. */
    public static final CircuitBreakerPolicy DISABLED = new CircuitBreakerPolicy(false, 50, 20, 10, Duration.ofSeconds(1), 3);

    /**
     * @throws ConfigException naming the field, the value and the valid range
     */
    public CircuitBreakerPolicy {
        if (failureRatePercent < 1 || failureRatePercent > 100) {
            throw new ConfigException("circuitBreaker failureRatePercent", failureRatePercent, "must be between 1 and 100");
        }
        if (slidingWindowSize < 1 || slidingWindowSize > 10_000) {
            throw new ConfigException("circuitBreaker slidingWindowSize", slidingWindowSize, "must be between 1 and 10000");
        }
        if (minimumCalls < 1 || minimumCalls > 10_000) {
            throw new ConfigException("circuitBreaker minimumCalls", minimumCalls, "must be between 1 and 10000");
        }
        if (waitInOpenState == null || waitInOpenState.compareTo(Duration.ofMillis(1)) < 0 || waitInOpenState.compareTo(Duration.ofHours(1)) > 0) {
            throw new ConfigException("circuitBreaker waitInOpenState", waitInOpenState, "must be between 1 ms and 1 h");
        }
        if (halfOpenCalls < 1 || halfOpenCalls > 1_000) {
            throw new ConfigException("circuitBreaker halfOpenCalls", halfOpenCalls, "must be between 1 and 1000");
        }
    }
}
