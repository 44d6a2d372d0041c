package dev.sluice.pool;

import dev.sluice.testkit.PostgresServer;
import dev.sluice.testkit.SluiceExtension;
import dev.sluice.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(SluiceExtension.class)
class PoolRegistryTest {

    private static int maxConnections(TestDatabase db) {
        return Integer.parseInt(PostgresServer.queryString(db, "SHOW max_connections"));
    }

    @Test
    void startWarmsEveryPoolToItsMinimum(TestDatabase db) {
        try (PoolRegistry registry = PoolRegistry.create(RegistryConfig.builder()
                .pool(Pools.config("primary", db).minConnections(3).applicationName("reg-primary").build())
                .pool(Pools.config("reports", db).role(PoolRole.ANALYTICS).minConnections(2).applicationName("reg-reports").build())
                .build())) {
            registry.start().block();
            assertThat(registry.pool("primary").stats().allocated()).isEqualTo(3);
            assertThat(registry.pool("reports").stats().allocated()).isEqualTo(2);
            assertThat(Pools.sessions(db, "reg-primary")).isEqualTo(3);
            assertThat(registry.pools(PoolRole.ANALYTICS)).extracting(PgPool::name).containsExactly("reports");
            assertThatThrownBy(() -> registry.pool("nope")).hasMessageContaining("no pool named 'nope'").hasMessageContaining("[primary, reports]");
        }
        Pools.await("closed", java.time.Duration.ofSeconds(3), () -> Pools.sessions(db, "reg-primary") + Pools.sessions(db, "reg-reports") == 0);
    }

    @Test
    void unsafeSizesAreRefusedWithTheArithmetic(TestDatabase db) {
        int max = maxConnections(db);
        int reserved = Integer.parseInt(PostgresServer.queryString(db, "SHOW superuser_reserved_connections"));
        int perPool = max / 4;
        try (PoolRegistry registry = PoolRegistry.create(RegistryConfig.builder()
                .pool(Pools.config("primary", db).maxConnections(perPool).build())
                .pool(Pools.config("analytics", db).role(PoolRole.ANALYTICS).maxConnections(perPool).build())
                .appInstances(3)
                .build())) {
            assertThatThrownBy(() -> registry.start().block())
                    .isInstanceOf(CapacityException.class)
                    .hasMessageContaining("3 instance(s) × (primary " + perPool + " + analytics " + perPool + ") = " + (3 * 2 * perPool))
                    .hasMessageContaining("0.8 × (max_connections " + max + " − superuser_reserved_connections " + reserved)
                    .hasMessageContaining("lower the pools' maxConnections")
                    .hasMessageContaining("declare fewer appInstances");
            assertThat(registry.pool("primary").stats().allocated()).isZero();
        }
    }

    @Test
    void startStatesTheAssumedInstanceCountAndWhereItCameFrom(TestDatabase db) {
        try (PoolRegistry assumed = PoolRegistry.create(RegistryConfig.builder().pool(Pools.config("primary", db).build()).build());
             PoolRegistry declared = PoolRegistry.create(RegistryConfig.builder().pool(Pools.config("primary", db).build())
                     .appInstances(4, "SLUICE_APP_INSTANCES").build())) {
            assertThat(assumed.assumedInstancesMessage())
                    .isEqualTo("capacity check assumes 1 application instance(s), from " + RegistryConfig.DEFAULT_SOURCE
                            + "; declare the real count with SLUICE_APP_INSTANCES or RegistryConfig.Builder.appInstances");
            assertThat(declared.assumedInstancesMessage())
                    .isEqualTo("capacity check assumes 4 application instance(s), from SLUICE_APP_INSTANCES");
        }
    }

    @Test
    void theSameSizesPassWithFewerInstances(TestDatabase db) {
        int perPool = maxConnections(db) / 4;
        try (PoolRegistry registry = PoolRegistry.create(RegistryConfig.builder()
                .pool(Pools.config("primary", db).maxConnections(perPool).minConnections(1).build())
                .pool(Pools.config("analytics", db).role(PoolRole.ANALYTICS).maxConnections(perPool).minConnections(1).build())
                .appInstances(1)
                .build())) {
            registry.start().block();
            assertThat(registry.stats()).allSatisfy(s -> assertThat(s.allocated()).isEqualTo(1));
        }
    }

    @Test
    void anUnreachableServerFailsStartClearly(TestDatabase db) {
        try (PoolRegistry registry = PoolRegistry.create(RegistryConfig.builder()
                .pool(Pools.config("primary", db).host("localhost").port(1).build())
                .build())) {
            assertThatThrownBy(() -> registry.start().block()).hasMessageContaining("pool 'primary' cannot connect to localhost:1").hasMessageContaining("Connection refused");
        }
    }

    @Test
    void registriesAreIndependent(TestDatabase db) {
        try (PoolRegistry first = PoolRegistry.create(RegistryConfig.builder().pool(Pools.config("primary", db).build()).build());
             PoolRegistry second = PoolRegistry.create(RegistryConfig.builder().pool(Pools.config("primary", db).build()).build())) {
            first.start().block();
            second.start().block();
            first.close();
            assertThat(first.pool("primary").isClosing()).isTrue();
            assertThat(second.pool("primary").query("SELECT 1", r -> r.get(0, Integer.class)).blockLast()).isEqualTo(1);
        }
    }
}
