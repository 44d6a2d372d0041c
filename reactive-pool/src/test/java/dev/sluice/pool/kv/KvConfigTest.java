package dev.sluice.pool.kv;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KvConfigTest {

    @Test
    void defaultsNeedNoEnvironment() {
        NatsConfig config = NatsConfig.fromEnvironment(Map.of());
        assertThat(config.servers()).containsExactly("nats://127.0.0.1:4222");
        assertThat(config.connections()).isEqualTo(1);
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.requestTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.reconnect()).isEqualTo(ReconnectPolicy.DEFAULT);
        assertThat(config.buckets()).isEmpty();
        assertThat(config.tls()).isFalse();
    }

    @Test
    void everyVariableIsRead(@TempDir Path dir) throws Exception {
        Path creds = Files.writeString(dir.resolve("app.creds"), "-----BEGIN NATS USER JWT-----\nsecret-jwt\n");
        Map<String, String> env = new HashMap<>();
        env.put("NATS_SERVERS", "nats://a:4222, nats://b:4223");
        env.put("NATS_CREDS_FILE", creds.toString());
        env.put("NATS_CONNECT_TIMEOUT", "1500ms");
        env.put("NATS_REQUEST_TIMEOUT", "PT3S");
        env.put("NATS_CONNECTIONS", "3");
        env.put("NATS_RECONNECT_ATTEMPTS", "-1");
        env.put("NATS_RECONNECT_WAIT", "250ms");
        env.put("NATS_RECONNECT_BUFFER_SIZE", "0");
        env.put("NATS_KV_PREFIX", "shop_");
        env.put("NATS_KV_BUCKETS", "orders, carts");
        env.put("NATS_KV_TTL_MINUTES", "90");
        env.put("NATS_KV_REPLICAS", "3");
        env.put("NATS_KV_MAX_SIZE", "1GB");
        env.put("NATS_KV_MAX_VALUE_SIZE", "64KB");
        env.put("NATS_KV_HISTORY", "8");
        env.put("NATS_KV_STORAGE", "memory");
        env.put("NATS_KV_ON_MISMATCH", "update");
        NatsConfig config = NatsConfig.fromEnvironment(env);

        assertThat(config.servers()).containsExactly("nats://a:4222", "nats://b:4223");
        assertThat(config.credentialsFile()).contains(creds);
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(config.requestTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.connections()).isEqualTo(3);
        assertThat(config.reconnect()).isEqualTo(new ReconnectPolicy(-1, Duration.ofMillis(250), ReconnectPolicy.DEFAULT.jitter(), 0));
        assertThat(config.bucketPrefix()).isEqualTo("shop_");
        assertThat(config.serverBucketName("orders")).isEqualTo("shop_orders");
        assertThat(config.buckets()).extracting(KvBucketConfig::name).containsExactly("orders", "carts");
        KvBucketConfig orders = config.buckets().get(0);
        assertThat(orders.ttl()).isEqualTo(Duration.ofMinutes(90));
        assertThat(orders.replicas()).isEqualTo(3);
        assertThat(orders.maxBucketSize()).isEqualTo(1024L * 1024 * 1024);
        assertThat(orders.maxValueSize()).isEqualTo(64 * 1024);
        assertThat(orders.history()).isEqualTo(8);
        assertThat(orders.storage()).isEqualTo(KvStorage.MEMORY);
        assertThat(orders.onMismatch()).isEqualTo(MismatchPolicy.UPDATE);
        assertThat(config.toString()).contains("credentials=set").doesNotContain("secret-jwt");
    }

    @Test
    void badValuesAreNamedWithTheirVariableValueAndRange() {
        Map<String, String> env = Map.of(
                "NATS_KV_REPLICAS", "7",
                "NATS_KV_HISTORY", "100",
                "NATS_KV_MAX_SIZE", "1XB",
                "NATS_KV_TTL_MINUTES", "-5",
                "NATS_CONNECT_TIMEOUT", "fast",
                "NATS_CONNECTIONS", "0",
                "NATS_KV_STORAGE", "disk");
        assertThatThrownBy(() -> NatsConfig.fromEnvironment(env))
                .isInstanceOfSatisfying(NatsConfigException.class, e -> {
                    assertThat(e.problems()).hasSize(7);
                    assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("NATS_KV_REPLICAS").contains("7").contains("1 to 5"));
                    assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("NATS_KV_HISTORY").contains("100").contains("1 to 64"));
                    assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("NATS_KV_MAX_SIZE").contains("'1XB'").contains("such as 1GB"));
                    assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("NATS_KV_TTL_MINUTES").contains("-5 minutes").contains("0 (no expiry)"));
                    assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("NATS_CONNECT_TIMEOUT").contains("'fast'").contains("5s"));
                    assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("NATS_CONNECTIONS").contains("= 0").contains("1 to 16"));
                    assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("NATS_KV_STORAGE").contains("'disk'").contains("[file, memory]"));
                    assertThat(e.getMessage()).contains("7 problems");
                });
    }

    @Test
    void outOfRangeDurationsSizesAndNamesAreRefused() {
        assertProblem(Map.of("NATS_REQUEST_TIMEOUT", "2h"), "NATS_REQUEST_TIMEOUT", "2h", "10ms to 10m");
        assertProblem(Map.of("NATS_RECONNECT_ATTEMPTS", "-2"), "NATS_RECONNECT_ATTEMPTS", "-2", "-1 (no limit)");
        assertProblem(Map.of("NATS_RECONNECT_BUFFER_SIZE", "2GB"), "NATS_RECONNECT_BUFFER_SIZE", "2147483648", "0 (fail at once while disconnected) to 1GB");
        assertProblem(Map.of("NATS_KV_MAX_VALUE_SIZE", "128MB"), "NATS_KV_MAX_VALUE_SIZE", "134217728", "1 to 67108864");
        assertProblem(Map.of("NATS_KV_PREFIX", "a.b"), "NATS_KV_PREFIX", "a.b", "letters, digits");
        assertProblem(Map.of("NATS_KV_BUCKETS", "ok,not ok"), "bucket name", "not ok", "letters, digits");
        assertProblem(Map.of("NATS_SERVERS", "http://h:4222"), "NATS_SERVERS", "http://h:4222", "nats://host:port");
        assertProblem(Map.of("NATS_SERVERS", "nats://h:99999"), "NATS_SERVERS", "nats://h:99999", "1-65535");
        assertProblem(Map.of("NATS_CREDS_FILE", "/nonexistent/app.creds"), "NATS_CREDS_FILE", "/nonexistent/app.creds", "readable file");
        assertThatThrownBy(() -> NatsConfig.fromEnvironment(Map.of("NATS_TLS_CERT", "/nonexistent/c.pem")))
                .isInstanceOfSatisfying(NatsConfigException.class, e -> assertThat(e.problems()).hasSize(2)
                        .anySatisfy(p -> assertThat(p).contains("NATS_TLS_CERT", "/nonexistent/c.pem", "not a readable file"))
                        .anySatisfy(p -> assertThat(p).contains("NATS_TLS_CERT", "NATS_TLS_KEY", "set both")));
    }

    @Test
    void credentialsNeverAppearInMessagesOrToString() {
        NatsConfig config = NatsConfig.builder().servers("nats://alice:pa55word@h1:4222", "nats://t0ken@h2:4222").build();
        assertThat(config.toString()).contains("nats://***@h1:4222", "nats://***@h2:4222").doesNotContain("pa55word", "alice", "t0ken");
        assertThatThrownBy(() -> NatsConfig.fromEnvironment(Map.of("NATS_SERVERS", "nats://alice:pa55word@h1:99999")))
                .isInstanceOf(NatsConfigException.class)
                .hasMessageContaining("nats://***@h1:99999")
                .hasMessageNotContaining("pa55word")
                .hasMessageNotContaining("alice");
        assertThatThrownBy(() -> NatsConfig.fromEnvironment(Map.of("NATS_SERVERS", "nats://bob:hunter2@[bad")))
                .isInstanceOf(NatsConfigException.class)
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void bucketsAreValidatedAndUnique() {
        assertThatThrownBy(() -> NatsConfig.builder().bucket("a").bucket("a").build())
                .isInstanceOf(NatsConfigException.class).hasMessageContaining("bucket 'a' is configured twice");
        assertThatThrownBy(() -> KvBucketConfig.builder("x").history(0).replicas(6).maxValueSize(2048).maxBucketSize(1024).build())
                .isInstanceOfSatisfying(NatsConfigException.class, e -> assertThat(e.problems()).hasSize(3)
                        .anySatisfy(p -> assertThat(p).contains("history").contains("= 0"))
                        .anySatisfy(p -> assertThat(p).contains("replicas").contains("= 6"))
                        .anySatisfy(p -> assertThat(p).contains("maxValueSize = 2KB is larger than maxBucketSize = 1KB")));
        NatsConfig config = NatsConfig.builder()
                .bucketDefaults(d -> d.history(4))
                .bucket("a")
                .bucket("b", b -> b.history(2))
                .bucket(KvBucketConfig.builder("c").build())
                .build();
        assertThat(config.buckets()).extracting(KvBucketConfig::history).containsExactly(4, 2, 1);
        assertThat(config.toBuilder().build().buckets()).isEqualTo(config.buckets());
    }

    @Test
    void sizesAndDurationsAcceptTheUsualForms() {
        assertThat(ConfigValues.parseSize("1GB")).isEqualTo(1L << 30);
        assertThat(ConfigValues.parseSize("512 mb")).isEqualTo(512L << 20);
        assertThat(ConfigValues.parseSize("64KiB")).isEqualTo(64L << 10);
        assertThat(ConfigValues.parseSize("100")).isEqualTo(100);
        assertThat(ConfigValues.parseSize("-1")).isEqualTo(-1);
        assertThat(ConfigValues.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(ConfigValues.parseDuration("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(ConfigValues.parseDuration("7")).isEqualTo(Duration.ofSeconds(7));
        assertThat(ConfigValues.parseDuration("PT1H")).isEqualTo(Duration.ofHours(1));
        assertThat(ConfigValues.describeSize(1L << 30)).isEqualTo("1GB");
        assertThat(ConfigValues.describeSize(1500)).isEqualTo("1500B");
    }

    @Test
    void invalidWatchOptionsAreRefused() {
        assertThat(WatchOptions.DEFAULT.withIncludeHistory().withUpdatesOnly().includeHistory()).isFalse();
        assertThatThrownBy(() -> new WatchOptions(true, false, true, Duration.ofSeconds(5), 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exclude each other");
        assertThatThrownBy(() -> WatchOptions.DEFAULT.withHeartbeat(Duration.ofMillis(10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("100ms to 1m");
    }

    private static void assertProblem(Map<String, String> env, String... parts) {
        assertThatThrownBy(() -> NatsConfig.fromEnvironment(env))
                .isInstanceOfSatisfying(NatsConfigException.class, e -> assertThat(e.problems()).hasSize(1)
                        .first().satisfies(p -> assertThat(p).contains(List.of(parts))));
    }
}
