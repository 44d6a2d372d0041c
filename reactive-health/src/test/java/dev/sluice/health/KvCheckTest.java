package dev.sluice.health;

import dev.sluice.pool.check.HealthStatus;
import dev.sluice.pool.PoolRegistry;
import dev.sluice.pool.RegistryConfig;
import dev.sluice.testkit.FaultProxy;
import dev.sluice.testkit.NatsServer;
import dev.sluice.testkit.SluiceExtension;
import dev.sluice.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** The bucket and NATS connection checks through a real server: healthy, degraded, unhealthy behind a black hole, recovered. */
@ExtendWith(SluiceExtension.class)
class KvCheckTest {

    @Test
    void bucketAndConnectionStatusFollowTheNetworkAndABlackHoleShowsWithinTwoIntervals(TestDatabase db, NatsServer nats) {
        URI server = URI.create(nats.url());
        String bucket = nats.uniqueName("health");
        try (FaultProxy proxy = FaultProxy.start(server.getHost(), server.getPort());
             PoolRegistry registry = PoolRegistry.create(RegistryConfig.builder()
                     .pool(TestRegistries.pool("primary", db).build())
                     .kv(TestRegistries.nats("nats://" + proxy.host() + ":" + proxy.port(), bucket))
                     .build())) {
            registry.start().block();
            List<HealthSample> buckets = new CopyOnWriteArrayList<>();
            List<HealthSample> connections = new CopyOnWriteArrayList<>();
            try (HealthMonitor monitor = HealthMonitor.create(registry, HealthConfig.builder().interval(Duration.ofSeconds(1))
                    .bucketCheckTimeout(Duration.ofMillis(800)).connectionCheckTimeout(Duration.ofMillis(800))
                    .rules(AlertRules.none()).noSinks().build())) {
                monitor.samples().subscribe(s -> {
                    if (s.kind().equals(Subject.KV)) {
                        buckets.add(s);
                    } else if (s.kind().equals(Subject.NATS)) {
                        connections.add(s);
                    }
                });
                monitor.start().block();

                TestRegistries.await("healthy bucket and connection", Duration.ofSeconds(15),
                        () -> PoolCheckTest.lastStatus(buckets) == HealthStatus.HEALTHY && PoolCheckTest.lastStatus(connections) == HealthStatus.HEALTHY);
                HealthSample healthyBucket = buckets.get(buckets.size() - 1);
                assertThat(healthyBucket.subject()).isEqualTo(Subject.bucket(bucket));
                assertThat(healthyBucket.detail("bucket")).isPresent();
                assertThat(healthyBucket.reading("kv.bucket.entries")).as("the server's answer").isPresent();
                assertThat(healthyBucket.reading("kv.bucket.bytes")).isPresent();
                HealthSample healthyConnection = connections.get(connections.size() - 1);
                assertThat(healthyConnection.detail("state")).contains("CONNECTED");
                assertThat(healthyConnection.value("nats.connected")).isEqualTo(1);
                assertThat(healthyConnection.reading("nats.round.trip")).isPresent();
                assertThat(healthyConnection.subject()).isEqualTo(Subject.connection(0));

                proxy.addLatency(Duration.ofMillis(60));
                TestRegistries.await("degraded bucket and connection (over 50 ms)", Duration.ofSeconds(15),
                        () -> PoolCheckTest.lastStatus(buckets) == HealthStatus.DEGRADED && PoolCheckTest.lastStatus(connections) == HealthStatus.DEGRADED);

                proxy.passThrough();
                TestRegistries.await("healthy again", Duration.ofSeconds(15),
                        () -> PoolCheckTest.lastStatus(buckets) == HealthStatus.HEALTHY && PoolCheckTest.lastStatus(connections) == HealthStatus.HEALTHY);
                proxy.blackHole();
                long roundWhenBlackHoled = monitor.rounds();
                TestRegistries.await("unhealthy bucket and connection", Duration.ofSeconds(10),
                        () -> PoolCheckTest.lastStatus(buckets) == HealthStatus.UNHEALTHY && PoolCheckTest.lastStatus(connections) == HealthStatus.UNHEALTHY);
                HealthSample unhealthy = buckets.stream().filter(s -> s.status() == HealthStatus.UNHEALTHY).findFirst().orElseThrow();
                assertThat(unhealthy.round()).isLessThanOrEqualTo(roundWhenBlackHoled + 2);
                assertThat(unhealthy.reading("kv.bucket.entries")).as("no answer from the server").isEmpty();
                assertThat(unhealthy.reading("kv.error.rate")).as("local statistics are read all the same").isPresent();
                assertThat(unhealthy.error()).isPresent();
                HealthSample silent = connections.stream().filter(s -> s.status() == HealthStatus.UNHEALTHY).findFirst().orElseThrow();
                assertThat(silent.round()).isLessThanOrEqualTo(roundWhenBlackHoled + 2);
                assertThat(silent.reading("nats.round.trip")).isEmpty();

                proxy.passThrough();
                TestRegistries.await("healthy after the network healed", Duration.ofSeconds(30),
                        () -> PoolCheckTest.lastStatus(buckets) == HealthStatus.HEALTHY && PoolCheckTest.lastStatus(connections) == HealthStatus.HEALTHY);
            }
        }
    }
}
