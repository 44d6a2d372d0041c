package dev.sluice.pool;

import dev.sluice.testkit.PostgresReplicaSet;
import dev.sluice.testkit.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reads go to a healthy replica, fall back to the primary, and come back; against a real streaming replica. */
class RoutingTest {

    private static PostgresReplicaSet servers;

    @BeforeAll
    static void start() {
        servers = PostgresReplicaSet.start();
    }

    @AfterAll
    static void stop() {
        servers.close();
    }

    private static TestDatabase primaryDb() {
        return servers.primary().server().adminDatabase();
    }

    private static TestDatabase replicaDb() {
        return servers.replica().server().adminDatabase();
    }

    private static PoolRegistry registry() {
        return PoolRegistry.create(RegistryConfig.builder()
                .pool(Pools.config("primary", primaryDb()).acquireTimeout(Duration.ofSeconds(1)).build())
                .pool(Pools.config("replica_1", replicaDb()).role(PoolRole.REPLICA).acquireTimeout(Duration.ofSeconds(1))
                        .connectTimeout(Duration.ofMillis(500)).circuitBreaker(CircuitBreakerPolicy.DISABLED).build())
                .healthPeriod(Duration.ofMillis(500))
                .healthTimeout(Duration.ofMillis(500))
                .build());
    }

    private static Boolean inRecovery(PoolRegistry registry) {
        return registry.read(pool -> pool.queryOne("SELECT pg_is_in_recovery()", r -> r.get(0, Boolean.class))).blockLast();
    }

    @Test
    void readsHitTheReplicaAndWritesThePrimary() {
        try (PoolRegistry registry = registry()) {
            registry.start().block();
            assertThat(inRecovery(registry)).isTrue();
            assertThat(registry.reads().block().name()).isEqualTo("replica_1");
            assertThat(registry.write(pool -> pool.queryOne("SELECT pg_is_in_recovery()", r -> r.get(0, Boolean.class))).blockLast()).isFalse();
            registry.write(pool -> pool.update("CREATE TABLE IF NOT EXISTS routed (v int)")).blockLast();
            servers.awaitReplayed(Duration.ofSeconds(10));
            assertThatThrownBy(() -> registry.read(pool -> pool.update("INSERT INTO routed VALUES (1)")).blockLast())
                    .satisfies(e -> assertThat(SqlErrorClassifier.sqlState(e)).contains("25006"));
        }
    }

    @Test
    void readsMoveToThePrimaryWhenTheReplicaStopsAndComeBack() {
        try (PoolRegistry registry = registry()) {
            registry.start().block();
            assertThat(inRecovery(registry)).isTrue();

            servers.stopReplica();
            List<Throwable> failures = new ArrayList<>();
            List<Boolean> answers = new ArrayList<>();
            long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (System.nanoTime() < until) {
                try {
                    answers.add(inRecovery(registry));
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            }
            assertThat(failures).as("reads that failed while the replica was down").hasSizeLessThanOrEqualTo(1);
            assertThat(answers).isNotEmpty();
            assertThat(answers.subList(Math.min(1, answers.size() - 1), answers.size())).containsOnly(false);

            servers.startReplica();
            Pools.await("reads back on the replica", Duration.ofSeconds(10), () -> Boolean.TRUE.equals(inRecovery(registry)));
        }
    }

    @Test
    void withNothingHealthyReadsFailAtOnceListingEachPool() {
        TestDatabase nowhere = primaryDb().at("127.0.0.1", 1);
        try (PoolRegistry registry = PoolRegistry.create(RegistryConfig.builder()
                .pool(Pools.config("primary", nowhere).build())
                .pool(Pools.config("replica_1", nowhere).role(PoolRole.REPLICA).build())
                .capacityCheck(false)
                .healthTimeout(Duration.ofMillis(500))
                .build())) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> registry.reads().block())
                    .isInstanceOf(NoHealthyPoolException.class)
                    .hasMessageContaining("replica_1 (REPLICA) unhealthy")
                    .hasMessageContaining("primary (PRIMARY) unhealthy");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        }
    }
}
