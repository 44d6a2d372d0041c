package dev.sluice.health;

import dev.sluice.pool.check.HealthStatus;
import dev.sluice.pool.PoolRegistry;
import dev.sluice.pool.RegistryConfig;
import dev.sluice.testkit.FaultProxy;
import dev.sluice.testkit.SluiceExtension;
import dev.sluice.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** The PostgreSQL check through a real pool: healthy, degraded behind latency, unhealthy behind a black hole, recovered. */
@ExtendWith(SluiceExtension.class)
class PoolCheckTest {

    private static final Duration INTERVAL = Duration.ofSeconds(1);

    @Test
    void poolStatusFollowsTheNetworkAndABlackHoleShowsWithinTwoIntervals(TestDatabase db) {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
             PoolRegistry registry = PoolRegistry.create(RegistryConfig.builder()
                     .pool(TestRegistries.pool("primary", db.at(proxy.host(), proxy.port())).minConnections(1).maxConnections(4).build())
                     .build())) {
            registry.start().block();
            List<HealthSample> samples = new CopyOnWriteArrayList<>();
            try (HealthMonitor monitor = HealthMonitor.create(registry, HealthConfig.builder().interval(INTERVAL)
                    .poolCheckTimeout(Duration.ofMillis(800)).rules(AlertRules.none()).noSinks().build())) {
                monitor.samples().filter(s -> s.kind().equals(Subject.POOL)).subscribe(samples::add);
                monitor.start().block();

                TestRegistries.await("a healthy sample", Duration.ofSeconds(15), () -> lastStatus(samples) == HealthStatus.HEALTHY);
                HealthSample healthy = last(samples);
                assertThat(healthy.error()).isEmpty();
                assertThat(healthy.latency()).isPositive();
                assertThat(healthy.subject()).isEqualTo(Subject.pool("primary"));

                proxy.addLatency(Duration.ofMillis(100));
                TestRegistries.await("a degraded sample", Duration.ofSeconds(15), () -> lastStatus(samples) == HealthStatus.DEGRADED);
                assertThat(last(samples).latency()).as("each way 100 ms").isGreaterThan(Duration.ofMillis(100));
                assertThat(last(samples).error()).isEmpty();

                proxy.passThrough();
                TestRegistries.await("healthy again", Duration.ofSeconds(15), () -> lastStatus(samples) == HealthStatus.HEALTHY);
                proxy.blackHole();
                long roundWhenBlackHoled = monitor.rounds();
                TestRegistries.await("an unhealthy sample", Duration.ofSeconds(10), () -> lastStatus(samples) == HealthStatus.UNHEALTHY);
                HealthSample unhealthy = samples.stream().filter(s -> s.status() == HealthStatus.UNHEALTHY).findFirst().orElseThrow();
                assertThat(unhealthy.round()).as("unhealthy within two sampling intervals of the black hole")
                        .isLessThanOrEqualTo(roundWhenBlackHoled + 2);
                assertThat(unhealthy.error().orElseThrow()).contains("no answer within the check's time limit of 800 ms");
                assertThat(unhealthy.latency()).isLessThan(Duration.ofSeconds(3));
                assertThat(unhealthy.reading("pool.connections.max")).as("the pool's own statistics are read all the same").isPresent();

                proxy.passThrough();
                TestRegistries.await("healthy after the network healed", Duration.ofSeconds(30),
                        () -> lastStatus(samples) == HealthStatus.HEALTHY);
            }
        }
    }

    @Test
    void refusedConnectsShowInTheSampleAndServiceReturnsWithTheServer(TestDatabase db) {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
             PoolRegistry registry = PoolRegistry.create(RegistryConfig.builder()
                     .pool(TestRegistries.pool("primary", db.at(proxy.host(), proxy.port())).minConnections(0).maxConnections(2).build())
                     .build())) {
            registry.start().block();
            proxy.refuseNewConnections();
            List<HealthSample> samples = new CopyOnWriteArrayList<>();
            try (HealthMonitor monitor = HealthMonitor.create(registry, HealthConfig.builder().interval(INTERVAL)
                    .poolCheckTimeout(Duration.ofMillis(800)).rules(AlertRules.none()).noSinks().build())) {
                monitor.samples().filter(s -> s.kind().equals(Subject.POOL)).subscribe(samples::add);
                monitor.start().block();

                TestRegistries.await("refused connects in a sample", Duration.ofSeconds(15), () -> !samples.isEmpty()
                        && last(samples).reading("pool.connect.failures").orElseThrow().value() > 0);
                HealthSample refused = last(samples);
                assertThat(refused.status()).as("the check's acquire is still riding out the refusals at its time limit")
                        .isEqualTo(HealthStatus.UNHEALTHY);
                assertThat(refused.reading("pool.connect.attempts").orElseThrow().value())
                        .isGreaterThanOrEqualTo(refused.reading("pool.connect.failures").orElseThrow().value());

                proxy.passThrough();
                TestRegistries.await("healthy once connects succeed", Duration.ofSeconds(15), () -> lastStatus(samples) == HealthStatus.HEALTHY);
                HealthSample back = last(samples);
                assertThat(registry.pool("primary").stats().connectAttempts()).as("a connect succeeded after the refusals")
                        .isGreaterThan(registry.pool("primary").stats().connectFailures());
                assertThat(back.reading("pool.connect.attempts")).isPresent();
            }
        }
    }

    @Test
    void anExhaustedPoolFailsItsCheckAtTheCheckLimitInsteadOfItsAcquireTimeout(TestDatabase db) {
        try (PoolRegistry registry = PoolRegistry.create(RegistryConfig.builder()
                .pool(TestRegistries.pool("tiny", db).minConnections(1).maxConnections(1).acquireTimeout(Duration.ofSeconds(30)).build())
                .build())) {
            registry.start().block();
            var holder = registry.pool("tiny").query("SELECT pg_sleep(20)", r -> 1).subscribe(v -> { }, e -> { });
            TestRegistries.await("the only connection is taken", Duration.ofSeconds(5), () -> registry.pool("tiny").stats().acquired() == 1);
            try (HealthMonitor monitor = HealthMonitor.create(registry, HealthConfig.builder().interval(Duration.ofSeconds(10))
                    .poolCheckTimeout(Duration.ofMillis(300)).rules(AlertRules.none()).noSinks().build())) {
                long start = System.nanoTime();
                monitor.start().block(Duration.ofSeconds(10));
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                HealthSample sample = monitor.report().orElseThrow().pools().get(0);
                assertThat(sample.status()).isEqualTo(HealthStatus.UNHEALTHY);
                assertThat(sample.error().orElseThrow()).contains("time limit of 300 ms");
                assertThat(sample.value("pool.connections.active")).as("read before the check: the holder's connection").isEqualTo(1);
                assertThat(took).as("never hangs: well before the pool's 30 s acquire timeout").isLessThan(Duration.ofSeconds(5));
                // The pool lets an abandoned acquire run to its end (so a cancel can never lose a connection):
                // once the holder lets go, the check's acquire gets the connection and gives it straight back.
                holder.dispose();
                TestRegistries.await("the check's abandoned acquire served and given back", Duration.ofSeconds(10),
                        () -> registry.pool("tiny").stats().pending() == 0 && registry.pool("tiny").stats().acquired() == 0);
            } finally {
                holder.dispose();
            }
        }
    }

    static HealthStatus lastStatus(List<? extends HealthSample> samples) {
        return samples.isEmpty() ? null : last(samples).status();
    }

    private static <T> T last(List<T> list) {
        return list.isEmpty() ? null : list.get(list.size() - 1);
    }
}
