package dev.sluice.pool.internal;

import dev.sluice.pool.CircuitOpenException;
import dev.sluice.pool.ErrorClass;
import dev.sluice.pool.PoolShutdownException;
import dev.sluice.pool.RetryPolicy;
import dev.sluice.pool.SqlErrorClassifier;
import reactor.util.retry.Retry;

/** Turns a {@link RetryPolicy} into Reactor's {@link Retry}, retrying transient failures only and counting each retry. */
public final class Retries {

    private Retries() {
    }

    /** Whether a failure is worth running the work again for. */
    public static boolean retryable(Throwable error) {
        if (error instanceof CircuitOpenException || error instanceof PoolShutdownException) {
            return false;
        }
        return SqlErrorClassifier.classify(error).isTransient();
    }

    /**
     * Exponential backoff with jitter from {@code policy}; after the last attempt the caller gets the last
     * failure itself (not a wrapper).
     */
    public static Retry of(RetryPolicy policy, PoolCounters counters) {
        return Retry.backoff(policy.maxAttempts() - 1, policy.baseDelay())
                .maxBackoff(policy.maxDelay())
                .jitter(policy.jitter())
                .filter(Retries::retryable)
                .doBeforeRetry(signal -> counters.retried(SqlErrorClassifier.classify(signal.failure())))
                .onRetryExhaustedThrow((spec, signal) -> signal.failure());
    }

    /** Whether the policy retries at all. */
    public static boolean retries(RetryPolicy policy) {
        return policy.maxAttempts() > 1;
    }

}
