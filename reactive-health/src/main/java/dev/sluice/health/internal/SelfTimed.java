package dev.sluice.health.internal;

import dev.sluice.pool.check.CheckResult;
import dev.sluice.pool.check.HealthStatus;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * A built-in check that keeps its own time limit, so that a probe that fails or runs out of time still reports the
 * readings taken from local statistics (a black-holed pool still shows its waiting callers). The sampler does not add
 * a time limit of its own to such checks.
 */
public interface SelfTimed {

    /**
     * Cold: subscribes to {@code probe} within {@code limit} and emits {@code result} built, UNHEALTHY with the reason
     * when the probe failed or ran out of time; never fails.
     */
    static Mono<CheckResult> probe(Mono<?> probe, Duration limit, Scheduler scheduler, CheckResult.Builder result) {
        return probe.timeout(limit, scheduler)
                .then(Mono.fromSupplier(result::build))
                .onErrorResume(error -> Mono.just(result.status(HealthStatus.UNHEALTHY, reason(error, limit)).build()));
    }

    /** Why a check failed: the time limit it ran out of, or the error's type and first line. */
    static String reason(Throwable error, Duration limit) {
        return error instanceof TimeoutException
                ? "no answer within the check's time limit of " + limit.toMillis() + " ms"
                : CheckResult.describe(error);
    }
}
