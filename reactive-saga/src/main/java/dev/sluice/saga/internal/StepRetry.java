package dev.sluice.saga.internal;

import dev.sluice.pool.RetryPolicy;
import dev.sluice.pool.SqlErrorClassifier;
import dev.sluice.saga.SagaLeaseLostException;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import java.time.Duration;

/**
 * Timeout and retry around one attempt of a step or a compensation (internal). Each attempt is bounded by the
 * timeout; failed attempts run again as the policy allows (exponential backoff with jitter), except failures a
 * retry cannot change: a lost lease, wrong arguments, and PostgreSQL errors classified as not transient
 * (constraint, syntax, permission).
 */
public final class StepRetry {

    private StepRetry() {
    }

    /** {@code attempt} (subscribed afresh each time) under {@code timeout} and {@code policy}. */
    public static <T> Mono<T> apply(Mono<T> attempt, Duration timeout, RetryPolicy policy) {
        Mono<T> timed = attempt.timeout(timeout);
        if (policy.maxAttempts() <= 1) {
            return timed;
        }
        return timed.retryWhen(Retry.backoff(policy.maxAttempts() - 1L, policy.baseDelay())
                .maxBackoff(policy.maxDelay())
                .jitter(policy.jitter())
                .filter(StepRetry::retryable)
                .onRetryExhaustedThrow((spec, signal) -> signal.failure()));
    }

    /** Whether running again may help. */
    public static boolean retryable(Throwable error) {
        if (error instanceof SagaLeaseLostException || error instanceof IllegalArgumentException) {
            return false;
        }
        return SqlErrorClassifier.sqlState(error).isEmpty() || SqlErrorClassifier.classify(error).isTransient();
    }
}
