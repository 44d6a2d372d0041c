package dev.sluice.pool;

import dev.sluice.pool.kv.NatsConfig;
import dev.sluice.testkit.NatsServer;
import dev.sluice.testkit.SluiceExtension;
import dev.sluice.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One registry holds the PostgreSQL pools and the KV stores, and starts and closes them together. */
@ExtendWith(SluiceExtension.class)
class RegistryWithKvTest {

    @Test
    void poolsAndBucketsStartAndCloseTogether(TestDatabase db, NatsServer nats) {
        String bucket = nats.uniqueName("registry");
        PoolRegistry registry = PoolRegistry.create(RegistryConfig.builder()
                .pool(Pools.config("primary", db).build())
                .kv(NatsConfig.builder().servers(nats.url()).bucket(bucket).build())
                .build());
        try {
            registry.start().block();
            assertThat(registry.kv(bucket).put("greeting", "hello").block()).isPositive();
            assertThat(registry.kv(bucket).get("greeting").block().valueAsString()).isEqualTo("hello");
            assertThat(registry.writes().queryOne("SELECT 1", r -> r.get(0, Integer.class)).block()).isEqualTo(1);
        } finally {
            registry.close();
        }
        assertThat(registry.writes().isClosing()).isTrue();
        assertThatThrownBy(() -> registry.kv(bucket).get("greeting").block()).isInstanceOf(RuntimeException.class);
    }

    @Test
    void aRegistryWithoutKvSaysHowToAddIt(TestDatabase db) {
        try (PoolRegistry registry = PoolRegistry.create(RegistryConfig.builder().pool(Pools.config("primary", db).build()).build())) {
            assertThatThrownBy(registry::kv).hasMessageContaining("RegistryConfig.builder().kv(NatsConfig)");
        }
    }
}
