package dev.sluice.pool.check;

import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One health check of one subject: a database pool, a queue, a dependency of the application. The extension point
 * of Sluice's health monitoring, in the manner of Spring Boot's {@code ReactiveHealthIndicator}: implement
 * {@link #check()} and register the check with the health monitor (reactive-health's
 * {@code HealthConfig.builder().check(...)}); the monitor runs it every interval, turns its result into a sample,
 * evaluates alert rules on its readings, publishes them as Micrometer meters and serves them on its endpoint, with
 * no other code to write. It lives in reactive-pool so that modules and applications can offer checks without
 * depending on the health module.
 *
 * <pre>{@code
 * HealthCheck backlog = HealthCheck.of("orders", "backlog", () -> pool
 *         .queryOne("SELECT count(*) FROM orders WHERE shipped_at IS NULL", row -> row.get(0, Long.class))
 *         .map(n -> (n > 1000 ? CheckResult.degraded(n + " orders waiting") : CheckResult.healthy())
 *                 .reading("orders.backlog", Reading.count(n)).build()));
 * }</pre>
 *
 * <p>The monitor subscribes to {@link #check()} once per round, never twice at a time. It cancels a check that has
 * not answered within {@link #timeLimit()} and records it as {@link HealthStatus#UNHEALTHY}; an error from the Mono,
 * or a Mono that completes empty, is UNHEALTHY too. A check therefore needs no timeout or error handling of its own.
 */
public interface HealthCheck {

    /**
     * What sort of subject this is, in dotted lower-case words such as {@code pool}, {@code kv},
     * {@code saga.outbox}; the prefix of its meters ({@code sluice.<kind>.health}, {@code sluice.<kind>.check}).
     */
    String kind();

    /** Which subject of its kind this is, such as a pool's name; unique within the kind. */
    String name();

    /**
     * Tags of the subject's meters, such as {@code pool=primary, role=primary}; by default {@code check=<name>}.
     */
    default Map<String, String> tags() {
        return Map.of("check", name());
    }

    /** How long one run may take before it is cancelled and counted UNHEALTHY; empty for the monitor's default. */
    default Optional<Duration> timeLimit() {
        return Optional.empty();
    }

    /** A HEALTHY answer slower than this counts as DEGRADED; empty when speed does not matter. */
    default Optional<Duration> degradedAfter() {
        return Optional.empty();
    }

    /**
     * Runs the check once.
     *
     * @return a cold Mono emitting what the check found; an error or an empty completion means UNHEALTHY.
     *         Cancelling (on the time limit or when the monitor closes) must stop the work.
     */
    Mono<CheckResult> check();

    /** A check of kind {@code kind} and name {@code name} running {@code check}, with the defaults above. */
    static HealthCheck of(String kind, String name, Supplier<Mono<CheckResult>> check) {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(check, "check");
        return new HealthCheck() {
            @Override
            public String kind() {
                return kind;
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public Mono<CheckResult> check() {
                return Mono.defer(check);
            }

            @Override
            public String toString() {
                return "HealthCheck[" + kind + " '" + name + "']";
            }
        };
    }
}
