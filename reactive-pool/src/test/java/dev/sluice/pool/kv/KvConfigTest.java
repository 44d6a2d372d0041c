package dev.sluice.pool.kv;

import dev.sluice.pool.config.ConfigException;
import dev.sluice.pool.config.ConfigProblem;
import dev.sluice.pool.config.Durations;
import dev.sluice.pool.config.Environment;
import dev.sluice.pool.config.Sizes;
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
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(messages(e)).hasSize(7);
                    assertThat(messages(e)).anySatisfy(p -> assertThat(p).contains("NATS_KV_REPLICAS = '7'").contains("between 1 and 5"));
                    assertThat(messages(e)).anySatisfy(p -> assertThat(p).contains("NATS_KV_HISTORY = '100'").contains("between 1 and 64"));
                    assertThat(messages(e)).anySatisfy(p -> assertThat(p).contains("NATS_KV_MAX_SIZE = '1XB'").contains("KB, MB, GB"));
                    assertThat(messages(e)).anySatisfy(p -> assertThat(p).contains("NATS_KV_TTL_MINUTES = '-5'").contains("not a duration"));
                    assertThat(messages(e)).anySatisfy(p -> assertThat(p).contains("NATS_CONNECT_TIMEOUT = 'fast'").contains("250ms, 30s"));
                    assertThat(messages(e)).anySatisfy(p -> assertThat(p).contains("NATS_CONNECTIONS = '0'").contains("between 1 and 16"));
                    assertThat(messages(e)).anySatisfy(p -> assertThat(p).contains("NATS_KV_STORAGE = 'disk'").contains("file, memory"));
                    assertThat(e.getMessage()).contains("7 problems");
                });
    }

    @Test
    void outOfRangeDurationsSizesAndNamesAreRefused() {
        assertProblem(Map.of("NATS_REQUEST_TIMEOUT", "2h"), "NATS_REQUEST_TIMEOUT", "2h", "at least 10 ms and at most 10 min");
        assertProblem(Map.of("NATS_RECONNECT_ATTEMPTS", "-2"), "NATS_RECONNECT_ATTEMPTS", "-2", "between -1 and 100,000");
        assertProblem(Map.of("NATS_RECONNECT_BUFFER_SIZE", "2GB"), "NATS_RECONNECT_BUFFER_SIZE", "2GB", "0 (fail at once while disconnected) to 1GB");
        assertProblem(Map.of("NATS_KV_MAX_VALUE_SIZE", "128MB"), "NATS_KV_MAX_VALUE_SIZE", "128MB", "1B to 64MB");
        assertProblem(Map.of("NATS_CONNECT_TIMEOUT", "5"), "NATS_CONNECT_TIMEOUT", "'5'", "a bare number's unit would be a guess");
        assertProblem(Map.of("NATS_KV_PREFIX", "a.b"), "NATS_KV_PREFIX", "a.b", "letters, digits");
        assertProblem(Map.of("NATS_KV_BUCKETS", "ok,not ok"), "bucket name", "not ok", "letters, digits");
        assertProblem(Map.of("NATS_SERVERS", "http://h:4222"), "NATS_SERVERS", "http://h:4222", "nats://host:port");
        assertProblem(Map.of("NATS_SERVERS", "nats://h:99999"), "NATS_SERVERS", "nats://h:99999", "1-65535");
        assertProblem(Map.of("NATS_CREDS_FILE", "/nonexistent/app.creds"), "NATS_CREDS_FILE", "/nonexistent/app.creds", "readable file");
        assertThatThrownBy(() -> NatsConfig.fromEnvironment(Map.of("NATS_TLS_CERT", "/nonexistent/c.pem")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(messages(e)).hasSize(2)
                        .anySatisfy(p -> assertThat(p).contains("NATS_TLS_CERT", "/nonexistent/c.pem", "not a readable file"))
                        .anySatisfy(p -> assertThat(p).contains("NATS_TLS_CERT", "NATS_TLS_KEY", "set both")));
    }

    @Test
    void credentialsNeverAppearInMessagesOrToString() {
        NatsConfig config = NatsConfig.builder().servers("nats://alice:pa55word@h1:4222", "nats://t0ken@h2:4222").build();
        assertThat(config.toString()).contains("nats://***@h1:4222", "nats://***@h2:4222").doesNotContain("pa55word", "alice", "t0ken");
        assertThatThrownBy(() -> NatsConfig.fromEnvironment(Map.of("NATS_SERVERS", "nats://alice:pa55word@h1:99999")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("nats://***@h1:99999")
                .hasMessageNotContaining("pa55word")
                .hasMessageNotContaining("alice");
        assertThatThrownBy(() -> NatsConfig.fromEnvironment(Map.of("NATS_SERVERS", "nats://bob:hunter2@[bad")))
                .isInstanceOf(ConfigException.class)
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void bucketsAreValidatedAndUnique() {
        assertThatThrownBy(() -> NatsConfig.builder().bucket("a").bucket("a").build())
                .isInstanceOf(ConfigException.class).hasMessageContaining("bucket 'a': name = 'a': is configured twice");
        assertThatThrownBy(() -> KvBucketConfig.builder("x").history(0).replicas(6).maxValueSize(2048).maxBucketSize(1024).build())
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(messages(e)).hasSize(3)
                        .anySatisfy(p -> assertThat(p).contains("history").contains("= '0'"))
                        .anySatisfy(p -> assertThat(p).contains("replicas").contains("= '6'"))
                        .anySatisfy(p -> assertThat(p).contains("maxValueSize = '2KB': is larger than maxBucketSize = 1KB")));
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
        assertThat(Sizes.parse("1GB")).isEqualTo(1L << 30);
        assertThat(Sizes.parse("512 mb")).isEqualTo(512L << 20);
        assertThat(Sizes.parse("64KiB")).isEqualTo(64L << 10);
        assertThat(Sizes.parse("64MB")).isEqualTo(64L << 20);
        assertThat(Sizes.parse("100")).isEqualTo(100);
        assertThat(KvBucketConfig.MAX_BUCKET_SIZE.parse("-1")).isEqualTo(-1);
        assertThatThrownBy(() -> Sizes.parse("64XB")).hasMessageContaining("such as 64MB");
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse("PT1H")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parse("0")).isZero();
        assertThatThrownBy(() -> Durations.parse("7")).hasMessageContaining("write 7s, 7ms");
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(ConfigValues.describeSize(1L << 30)).isEqualTo("1GB");
        assertThat(ConfigValues.describeSize(1500)).isEqualTo("1500B");
    }

    @Test
    void natsCliNamesAreReadAndMustAgreeWithSluicesOwn(@TempDir Path dir) throws Exception {
        Path creds = Files.writeString(dir.resolve("app.creds"), "jwt");
        Path cert = Files.writeString(dir.resolve("c.pem"), "cert");
        Path key = Files.writeString(dir.resolve("k.pem"), "key");
        Path ca = Files.writeString(dir.resolve("ca.pem"), "ca");
        NatsConfig config = NatsConfig.fromEnvironment(Map.of("NATS_URL", "nats://a:4222,nats://b:4222", "NATS_CREDS", creds.toString(),
                "NATS_CERT", cert.toString(), "NATS_KEY", key.toString(), "NATS_CA", ca.toString()));
        assertThat(config.servers()).containsExactly("nats://a:4222", "nats://b:4222");
        assertThat(config.credentialsFile()).contains(creds);
        assertThat(config.tlsCertificate()).contains(cert);
        assertThat(config.tlsKey()).contains(key);
        assertThat(config.caCertificate()).contains(ca);

        assertThat(NatsConfig.fromEnvironment(Map.of("NATS_URL", "nats://a:4222", "NATS_SERVERS", "nats://a:4222")).servers())
                .containsExactly("nats://a:4222");
        assertProblem(Map.of("NATS_URL", "nats://a:4222", "NATS_SERVERS", "nats://b:4222"),
                "NATS_SERVERS = 'nats://b:4222' and NATS_URL = 'nats://a:4222' disagree", "keep one");
    }

    @Test
    void blankNatsVariableIsAnErrorNamingIt() {
        assertProblem(Map.of("NATS_CONNECT_TIMEOUT", "  "), "NATS_CONNECT_TIMEOUT = ''", "set but blank");
        assertProblem(Map.of("NATS_URL", ""), "NATS_URL = ''", "set but blank");
    }

    @Test
    void unknownNatsVariableIsAWarningNamingTheClosestKnownOne() {
        Environment env = Environment.of(Map.of("NATS_CONECT_TIMEOUT", "2s", "NATS_KV_HISTROY", "3"));
        NatsConfig config = NatsConfig.fromEnvironment(env);
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(env.warnings()).containsExactly(
                "NATS_CONECT_TIMEOUT is set but no part of Sluice reads it, so it is ignored; the closest known variable is "
                        + "NATS_CONNECT_TIMEOUT (rename it if it is meant for Sluice)",
                "NATS_KV_HISTROY is set but no part of Sluice reads it, so it is ignored; the closest known variable is "
                        + "NATS_KV_HISTORY (rename it if it is meant for Sluice)");
    }

    @Test
    void authenticationSettingsAreReadCheckedAndNeverShown(@TempDir Path dir) throws Exception {
        Path seed = Files.writeString(dir.resolve("user.nk"), "SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4");
        NatsConfig withUser = NatsConfig.fromEnvironment(Map.of("NATS_USER", "app", "NATS_PASSWORD", "pw-Zebra-1"));
        assertThat(withUser.user()).contains("app");
        assertThat(withUser.password()).contains("pw-Zebra-1");
        assertThat(withUser.toString()).contains("auth=user/password").doesNotContain("pw-Zebra-1");
        NatsConfig withToken = NatsConfig.fromEnvironment(Map.of("NATS_TOKEN", "tok-Zebra-2"));
        assertThat(withToken.token()).contains("tok-Zebra-2");
        assertThat(withToken.toString()).contains("auth=token").doesNotContain("tok-Zebra-2");
        assertThat(NatsConfig.fromEnvironment(Map.of("NATS_NKEY", seed.toString())).nkeyFile()).contains(seed);
        assertThat(NatsConfig.fromEnvironment(Map.of("NATS_NKEY_FILE", seed.toString())).toString()).contains("auth=nkey")
                .doesNotContain("SUAIB");

        assertProblem(Map.of("NATS_USER", "app"), "NATS_PASSWORD", "go together");
        assertProblem(Map.of("NATS_PASSWORD", "pw-Zebra-1"), "NATS_USER", "go together");
        assertThatThrownBy(() -> NatsConfig.fromEnvironment(Map.of("NATS_TOKEN", "tok-Zebra-2", "NATS_USER", "app",
                "NATS_PASSWORD", "pw-Zebra-1", "NATS_NKEY_FILE", seed.toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("choose one way to authenticate")
                .hasMessageContaining("token (NATS_TOKEN)")
                .hasMessageContaining("nkeyFile (NATS_NKEY_FILE)")
                .hasMessageNotContaining("tok-Zebra-2").hasMessageNotContaining("pw-Zebra-1");
        assertThatThrownBy(() -> NatsConfig.fromEnvironment(Map.of("NATS_TOKEN", "tok-Zebra-2", "NATS_PASSWORD", "pw-Zebra-1",
                "NATS_USER", "app", "NATS_CONNECTIONS", "99")))
                .hasMessageNotContaining("tok-Zebra-2").hasMessageNotContaining("pw-Zebra-1");
    }

    @Test
    void everyProblemOfCodeAndEnvironmentIsReportedTogether() {
        assertThatThrownBy(() -> NatsConfig.builder().environment(Map.of("NATS_KV_REPLICAS", "9", "NATS_REQUEST_TIMEOUT", "1ms"))
                .connections(0).connectionName("").build())
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .extracting(ConfigProblem::setting)
                        .containsExactlyInAnyOrder("replicas", "requestTimeout", "connections", "connectionName"));
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
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(messages(e)).hasSize(1)
                        .first().satisfies(p -> assertThat(p).contains(List.of(parts))));
    }

    private static List<String> messages(ConfigException e) {
        return e.problems().stream().map(ConfigProblem::message).toList();
    }
}
