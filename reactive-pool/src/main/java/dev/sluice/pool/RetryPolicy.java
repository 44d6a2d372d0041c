package dev.sluice.pool;

import dev.sluice.pool.config.ConfigException;
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

    /** No retry. */
    public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ofMillis(1), Duration.ofMillis(1), 0);

    /**
     * @throws ConfigException naming the field, the value and the valid range
     */
    public RetryPolicy {
        if (maxAttempts < 1 || maxAttempts > 100) {
            throw new ConfigException("retry maxAttempts", maxAttempts, "must be between 1 and 100");
        }
        if (baseDelay == null || baseDelay.compareTo(Duration.ofMillis(1)) < 0 || baseDelay.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new ConfigException("retry baseDelay", baseDelay, "must be between 1 ms and 1 min");
        }
        if (maxDelay == null || maxDelay.compareTo(baseDelay) < 0 || maxDelay.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new ConfigException("retry maxDelay", maxDelay, "must be between baseDelay (" + baseDelay + ") and 10 min");
        }
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new ConfigException("retry jitter", jitter, "must be between 0 and 1");
        }
    }

    /** A policy of {@code maxAttempts} with 10 ms base, 1 s max and 0.5 jitter: a sensible start for transaction conflicts. */
    public static RetryPolicy attempts(int maxAttempts) {
        return new RetryPolicy(maxAttempts, Duration.ofMillis(10), Duration.ofSeconds(1), 0.5);
    }
}
