package dev.sluice.health;

import dev.sluice.pool.PgPool;
import dev.sluice.pool.PoolRegistry;
import dev.sluice.pool.RegistryConfig;
import dev.sluice.testkit.SluiceExtension;
import dev.sluice.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** The shared sample stream of a monitor on a real pool. */
@ExtendWith(SluiceExtension.class)
class HealthMonitorTest {

    private static HealthConfig.Builder quiet(Duration interval) {
        return HealthConfig.builder().interval(interval).rules(AlertRules.none()).noSinks();
    }

    @Test
    void oneSamplerServesTenSubscribersAndSubscribingRunsNoCheck(TestDatabase db) {
        try (PoolRegistry registry = PoolRegistry.create(RegistryConfig.builder().pool(TestRegistries.pool("primary", db).build()).build())) {
            registry.start().block();
            PgPool pool = registry.pool("primary");
            long acquiresBefore = pool.stats().acquireCount();
            HealthMonitor monitor = HealthMonitor.create(registry, quiet(Duration.ofMillis(200)).build());
            List<List<Long>> seen = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                List<Long> ids = new CopyOnWriteArrayList<>();
                seen.add(ids);
                monitor.samples().subscribe(s -> ids.add(s.id()));
            }
            monitor.start().block();
            TestRegistries.await("six rounds", Duration.ofSeconds(10), () -> monitor.rounds() >= 6);
            monitor.close();
            long rounds = monitor.rounds();
            TestRegistries.await("the last round delivered", Duration.ofSeconds(2), () -> seen.get(0).size() >= rounds - 1);

            assertThat(pool.stats().acquireCount() - acquiresBefore)
                    .as("at most one SELECT 1 per round, whatever the number of subscribers (a check that times out before its"
                            + " acquire completes acquires nothing)")
                    .isBetween(rounds / 2, rounds);
            for (List<Long> ids : seen) {
                assertThat(ids).as("every subscriber sees the same samples").isEqualTo(seen.get(0));
            }
        }
    }

    @Test
    void aLateSubscriberGetsTheLatestSampleAtOnce(TestDatabase db) {
        try (PoolRegistry registry = PoolRegistry.create(RegistryConfig.builder().pool(TestRegistries.pool("primary", db).build()).build());
             HealthMonitor monitor = HealthMonitor.create(registry, quiet(Duration.ofMinutes(10)).build())) {
            registry.start().block();
            monitor.start().block();
            StepVerifier.create(monitor.samples().take(1))
                    .assertNext(s -> {
                        assertThat(s.round()).isEqualTo(1);
                        assertThat(s.subject()).isEqualTo(Subject.pool("primary"));
                    })
                    .as("the next round is ten minutes away")
                    .expectComplete()
                    .verify(Duration.ofSeconds(5));
        }
    }

    @Test
    void samplesCarrySizesAndWindowRatesAndTheHistoryKeepsTheLastN(TestDatabase db) {
        try (PoolRegistry registry = PoolRegistry.create(RegistryConfig.builder()
                .pool(TestRegistries.pool("primary", db).minConnections(2).maxConnections(4).build()).build());
             HealthMonitor monitor = HealthMonitor.create(registry, quiet(Duration.ofMillis(200)).history(3).build())) {
            registry.start().block();
            monitor.start().block();
            Flux.range(0, 20).flatMap(i -> registry.pool("primary").queryOne("SELECT 1", r -> 1), 4).blockLast();
            TestRegistries.await("five rounds", Duration.ofSeconds(10), () -> monitor.rounds() >= 5);

            List<HealthSample> history = monitor.history(Subject.pool("primary"));
            assertThat(history).hasSize(3);
            assertThat(history).extracting(HealthSample::round).isSorted();
            HealthSample latest = history.get(2);
            assertThat(latest.value("pool.connections.max")).isEqualTo(4);
            assertThat(latest.value("pool.connections.allocated")).isGreaterThanOrEqualTo(2)
                    .isEqualTo(latest.value("pool.connections.active") + latest.value("pool.connections.idle"));
            assertThat(latest.value("pool.utilisation")).isEqualTo(latest.value("pool.connections.active") / 4);
            assertThat(latest.detail(HealthSample.BREAKER)).contains("CLOSED");
            assertThat(latest.detail(HealthSample.ROLE)).contains("PRIMARY");
            assertThat(latest.tags()).containsEntry("pool", "primary").containsEntry("role", "primary");
            assertThat(latest.value("pool.error.rate")).isZero();
            assertThat(latest.checks()).as("checks counted: the history's size").isEqualTo(3);
            assertThat(latest.checkSuccessRate()).isEqualTo(1.0);
            HealthSample withWork = monitor.report().orElseThrow().pools().get(0);
            long acquires = withWork.reading("pool.acquire.mean").orElseThrow().basis();
            assertThat(acquires).as("the window of one minute holds the 20 queries and the checks").isGreaterThanOrEqualTo(20);
            assertThat(withWork.reading("pool.error.rate").orElseThrow().basis()).as("attempts: the acquires, none failed").isEqualTo(acquires);
        }
    }

    @Test
    void closingCompletesTheStreamsAndLeavesTheRegistryOpen(TestDatabase db) {
        try (PoolRegistry registry = PoolRegistry.create(RegistryConfig.builder().pool(TestRegistries.pool("primary", db).build()).build())) {
            registry.start().block();
            HealthMonitor monitor = HealthMonitor.create(registry, quiet(Duration.ofSeconds(1)).build());
            monitor.start().block();
            StepVerifier.create(monitor.alerts())
                    .then(monitor::close)
                    .expectComplete()
                    .verify(Duration.ofSeconds(5));
            StepVerifier.create(monitor.samples()).expectNextCount(1).expectComplete().verify(Duration.ofSeconds(5));
            assertThat(registry.pool("primary").queryOne("SELECT 1", r -> r.get(0, Integer.class)).block()).isEqualTo(1);
            StepVerifier.create(monitor.start()).expectError(IllegalStateException.class).verify(Duration.ofSeconds(1));
        }
    }
}
