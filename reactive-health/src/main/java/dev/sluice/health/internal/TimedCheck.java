package dev.sluice.health.internal;

import dev.sluice.health.CheckResult;
import dev.sluice.health.HealthStatus;
import dev.sluice.health.Subject;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one probe with a time limit and turns its outcome into a {@link CheckResult}: answered within
 * {@code degradedAfter} is HEALTHY, later DEGRADED, an error or no answer within {@code timeout} UNHEALTHY. The
 * resulting Mono never fails and always ends within the time limit (the probe is cancelled then).
 */
public final class TimedCheck {

    private final Duration timeout;
    private final Duration degradedAfter;
    private final Scheduler scheduler;

    /** A check with this time limit and degraded threshold; the timer and clock run on {@code scheduler}. */
    public TimedCheck(Duration timeout, Duration degradedAfter, Scheduler scheduler) {
        this.timeout = timeout;
        this.degradedAfter = degradedAfter;
        this.scheduler = scheduler;
    }

    /** The time limit. */
    public Duration timeout() {
        return timeout;
    }

    /** Cold: subscribes to {@code probe} and emits its result; never fails. */
    public Mono<CheckResult> run(Subject subject, Mono<?> probe) {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            return probe
                    .timeout(timeout, scheduler)
                    .then(Mono.fromSupplier(() -> answered(subject, Duration.ofNanos(System.nanoTime() - start))))
                    .onErrorResume(error -> Mono.just(failed(subject, error, Duration.ofNanos(System.nanoTime() - start))));
        });
    }

    /** A failed result without running anything, for subjects that cannot be checked. */
    public CheckResult failedAtOnce(Subject subject, String reason) {
        return new CheckResult(subject, HealthStatus.UNHEALTHY, Duration.ZERO, Optional.of(reason), now());
    }

    /** HEALTHY for an answer within the degraded threshold, DEGRADED for a slower one. */
    public HealthStatus statusFor(Duration latency) {
        return latency.compareTo(degradedAfter) > 0 ? HealthStatus.DEGRADED : HealthStatus.HEALTHY;
    }

    private CheckResult answered(Subject subject, Duration latency) {
        return new CheckResult(subject, statusFor(latency), latency, Optional.empty(), now());
    }

    private CheckResult failed(Subject subject, Throwable error, Duration latency) {
        String reason = error instanceof TimeoutException
                ? "no answer within the check's time limit of " + timeout.toMillis() + " ms"
                : describe(error);
        return new CheckResult(subject, HealthStatus.UNHEALTHY, latency, Optional.of(reason), now());
    }

    private Instant now() {
        return Instant.ofEpochMilli(scheduler.now(TimeUnit.MILLISECONDS));
    }

    /** The error's simple type name and the first line of its message. */
    static String describe(Throwable error) {
        String message = error.getMessage();
        if (message == null || message.isBlank()) {
            return error.getClass().getSimpleName();
        }
        int newline = message.indexOf('\n');
        return error.getClass().getSimpleName() + ": " + (newline < 0 ? message : message.substring(0, newline));
    }
}
