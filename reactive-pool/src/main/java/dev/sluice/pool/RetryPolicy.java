package dev.sluice.pool;

import dev.sluice.pool.config.ConfigException;
import dev.sluice.pool.config.Problems;
import dev.sluice.pool.config.Setting;

import java.time.Duration;

/**
 * When and how often failed work runs again. Only transient failures are retried: serialization failures
 * and deadlocks re-run the whole transaction, connection failures re-run on a new connection; every other
 * failure reaches the caller at once (see {@link ErrorClass#isTransient()}). Waits grow exponentially from
 * {@code baseDelay} to {@code maxDelay}, each randomised by {@code jitter} (0 to 1) so competing callers do
 * not retry in lock step. Nothing retries without a policy.
 *
 * @param maxAttempts total attempts including the first, 1 to 100 (1 means no retry)
 * @param baseDelay   wait before the first retry, 1 ms to 1 min
 * @param maxDelay    longest wait, at least {@code baseDelay}, at most 10 min
 * @param jitter      randomisation of each wait, 0 to 1
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay, double jitter) {

    /** Total attempts including the first. */
    public static final Setting<Integer> MAX_ATTEMPTS = Setting.integer("maxAttempts", 1, 1, 100);
    /** Wait before the first retry. */
    public static final Setting<Duration> BASE_DELAY = Setting.duration("baseDelay", Duration.ofMillis(10), Duration.ofMillis(1),
            Duration.ofMinutes(1));
    /** Longest wait (at least {@code baseDelay}). */
    public static final Setting<Duration> MAX_DELAY = Setting.duration("maxDelay", Duration.ofSeconds(1), Duration.ofMillis(1),
            Duration.ofMinutes(10));
    /** Randomisation of each wait. */
    public static final Setting<Double> JITTER = Setting.decimal("jitter", 0.5, 0, false, 1);

    /** No retry. */
    public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ofMillis(1), Duration.ofMillis(1), 0);

    /**
     * @throws ConfigException listing every field out of range, each with its value and the valid range
     */
    public RetryPolicy {
        Problems problems = new Problems("retry");
        problems.check(MAX_ATTEMPTS, maxAttempts);
        problems.check(BASE_DELAY, baseDelay);
        problems.check(MAX_DELAY, maxDelay);
        if (maxDelay != null && baseDelay != null && BASE_DELAY.problem(baseDelay) == null && maxDelay.compareTo(baseDelay) < 0) {
            problems.add(MAX_DELAY, maxDelay, "must be at least baseDelay (" + BASE_DELAY.show(baseDelay) + ")");
        }
        problems.check(JITTER, jitter);
        problems.throwIfAny();
    }

    /** A policy of {@code maxAttempts} with 10 ms base, 1 s max and 0.5 jitter: a sensible start for transaction conflicts. */
    public static RetryPolicy attempts(int maxAttempts) {
        return new RetryPolicy(maxAttempts, Duration.ofMillis(10), Duration.ofSeconds(1), 0.5);
    }
}
