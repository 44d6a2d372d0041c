package dev.sluice.health;

import dev.sluice.pool.PoolRegistry;
import dev.sluice.pool.RegistryConfig;
import dev.sluice.pool.check.CheckResult;
import dev.sluice.pool.check.HealthCheck;
import dev.sluice.pool.check.HealthStatus;
import dev.sluice.pool.check.Reading;
import dev.sluice.testkit.SluiceExtension;
import dev.sluice.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How the monitor runs a user's checks: time limits, failures, slow answers, readiness, and refused configurations. */
@ExtendWith(SluiceExtension.class)
class UserCheckTest {

    /** A check with its own time limit and degraded threshold. */
    private record Timed(String kind, String name, Duration limit, Duration degradedAfterOrNull, Mono<CheckResult> result) implements HealthCheck {
        @Override
        public Optional<Duration> timeLimit() {
            return Optional.of(limit);
        }

        @Override
        public Optional<Duration> degradedAfter() {
            return Optional.ofNullable(degradedAfterOrNull);
        }

        @Override
        public Mono<CheckResult> check() {
            return result;
        }
    }

    @Test
    void aCheckThatHangsFailsOrAnswersNothingIsUnhealthyWithinItsLimitAndASlowOneDegraded(TestDatabase db) {
        AtomicInteger cancelled = new AtomicInteger();
        HealthCheck hangs = new Timed("deps", "hangs", Duration.ofMillis(300), null, Mono.<CheckResult>never().doOnCancel(cancelled::incrementAndGet));
        HealthCheck fails = HealthCheck.of("deps", "fails", () -> Mono.error(new IllegalStateException("refused")));
        HealthCheck empty = HealthCheck.of("deps", "empty", Mono::empty);
        HealthCheck slow = new Timed("deps", "slow", Duration.ofSeconds(1), Duration.ofMillis(20),
                Mono.delay(Duration.ofMillis(150)).map(t -> CheckResult.healthy().reading("deps.slow.calls", Reading.count(3)).build()));
        try (PoolRegistry registry = PoolRegistry.create(RegistryConfig.builder().pool(TestRegistries.pool("primary", db).build()).build());
             HealthMonitor monitor = HealthMonitor.create(registry, HealthConfig.builder().interval(Duration.ofSeconds(10))
                     .rules(AlertRules.none()).noSinks().checks(java.util.List.of(hangs, fails, empty, slow)).build())) {
            registry.start().block();
            long start = System.nanoTime();
            monitor.start().block(Duration.ofSeconds(10));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the hanging check is cut at its 300 ms limit").isLessThan(Duration.ofSeconds(3));
            HealthReport report = monitor.report().orElseThrow();
            assertThat(report.samples()).extracting(HealthSample::kind).containsExactly("pool", "deps", "deps", "deps", "deps");
            Map<String, HealthSample> byName = new java.util.HashMap<>();
            report.samples("deps").forEach(s -> byName.put(s.name(), s));

            assertThat(byName.get("hangs").status()).isEqualTo(HealthStatus.UNHEALTHY);
            assertThat(byName.get("hangs").error()).contains("no answer within the check's time limit of 300 ms");
            assertThat(cancelled).as("the hanging check was cancelled").hasValue(1);
            assertThat(byName.get("fails").error()).contains("IllegalStateException: refused");
            assertThat(byName.get("empty").error()).contains("IllegalStateException: the check completed without a result");
            HealthSample slowSample = byName.get("slow");
            assertThat(slowSample.status()).as("answered, slower than 20 ms").isEqualTo(HealthStatus.DEGRADED);
            assertThat(slowSample.value("deps.slow.calls")).isEqualTo(3);
            assertThat(slowSample.latency()).isGreaterThanOrEqualTo(Duration.ofMillis(150));
            assertThat(report.status()).isEqualTo(HealthStatus.UNHEALTHY);
            assertThat(report.readiness().reasons()).contains("deps 'slow' is DEGRADED: check took 150 ms".replace("150 ms",
                    dev.sluice.health.internal.Durations.words(slowSample.latency())));
            assertThat(monitor.history(new Subject("deps", "fails"))).hasSize(1);
        }
    }

    @Test
    void kindsOutsideReadinessCountInTheStatusButNotInReadiness(TestDatabase db) {
        HealthCheck backlog = HealthCheck.of("queue.backlog", "orders", () -> Mono.just(CheckResult.degraded("1200 waiting").build()));
        try (PoolRegistry registry = PoolRegistry.create(RegistryConfig.builder().pool(TestRegistries.pool("primary", db).build()).build());
             HealthMonitor monitor = HealthMonitor.create(registry, HealthConfig.builder().interval(Duration.ofSeconds(10))
                     .rules(AlertRules.none()).noSinks().check(backlog).outsideReadiness("queue.backlog").build())) {
            registry.start().block();
            TestRegistries.await("a round with a healthy pool", Duration.ofSeconds(15), () -> {
                monitor.start().block(Duration.ofSeconds(10));
                return monitor.report().orElseThrow().pools().get(0).status() == HealthStatus.HEALTHY;
            });
            HealthReport report = monitor.report().orElseThrow();
            assertThat(report.status()).isEqualTo(HealthStatus.DEGRADED);
            assertThat(report.readiness().ready()).isTrue();
        }
    }

    @Test
    void checksThatCannotBeRunAsConfiguredAreRefused() {
        HealthCheck a = HealthCheck.of("deps", "same", () -> Mono.just(CheckResult.healthy().build()));
        HealthCheck b = HealthCheck.of("deps", "same", () -> Mono.just(CheckResult.healthy().build()));
        assertThatThrownBy(() -> HealthConfig.builder().check(a).check(b).build())
                .hasMessageContaining("health: check = 'deps 'same'': two checks have this kind and name");
        HealthCheck long_ = new Timed("deps", "long", Duration.ofSeconds(2), null, Mono.empty());
        assertThatThrownBy(() -> HealthConfig.builder().interval(Duration.ofSeconds(1)).check(long_).build())
                .hasMessageContaining("health: check deps 'long' timeLimit = '2s': must be from 1ms to the interval (1s)");
        HealthCheck badKind = HealthCheck.of("Deps!", "x", Mono::empty);
        assertThatThrownBy(() -> HealthConfig.builder().check(badKind).build())
                .hasMessage("check kind 'Deps!' must be dotted lower-case words such as 'saga.outbox'");
        HealthCheck pool = HealthCheck.of("pool", "primary", Mono::empty);
        assertThatThrownBy(() -> HealthConfig.builder().check(pool).build())
                .hasMessageContaining("health: check = 'pool 'primary'': uses the kind of the built-in pool checks");
        assertThatThrownBy(() -> HealthConfig.builder().outsideReadiness("Saga Outbox").build())
                .hasMessageContaining("health: outsideReadiness = 'Saga Outbox': must be dotted lower-case words such as 'saga.outbox'");
        assertThatThrownBy(() -> CheckResult.healthy().reading("Orders Backlog", Reading.count(1)).build())
                .hasMessage("reading name 'Orders Backlog' must be dotted lower-case words such as 'orders.backlog'");
        assertThatThrownBy(() -> CheckResult.of(HealthStatus.UNHEALTHY, null).build()).hasMessageContaining("must say why");
    }
}
