package dev.sluice.pool.kv;

import dev.sluice.pool.config.Environment;
import dev.sluice.testkit.EmbeddedNats;
import io.nats.client.NKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * User/password, token and NKey authentication from the environment against real nats-server processes whose
 * configuration files require each of them.
 */
class NatsAuthenticationTest {

    private static final String PASSWORD = "pw-Zebra-7731";
    private static final String TOKEN = "tok-Zebra-9942";

    private static Map<String, String> env(EmbeddedNats server, String... namesAndValues) {
        Map<String, String> env = new HashMap<>();
        env.put("NATS_URL", server.url());
        env.put("NATS_KV_BUCKETS", "auth");
        env.put("NATS_KV_STORAGE", "memory");
        env.put("NATS_CONNECT_TIMEOUT", "5s");
        env.put("NATS_RECONNECT_ATTEMPTS", "0");
        for (int i = 0; i < namesAndValues.length; i += 2) {
            env.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return env;
    }

    private static String putAndGet(Map<String, String> env) {
        try (KvStores stores = KvStores.create(NatsConfig.fromEnvironment(Environment.of(env)))) {
            stores.start().block(Duration.ofSeconds(30));
            KvStore kv = stores.store("auth");
            kv.put("k", "authenticated").block(Duration.ofSeconds(30));
            return new String(kv.get("k").block(Duration.ofSeconds(30)).value());
        }
    }

    private static Throwable refusal(Map<String, String> env) {
        return catchThrowable(() -> putAndGet(env));
    }

    @Test
    void userAndPasswordFromTheEnvironmentLogIn() {
        try (EmbeddedNats server = EmbeddedNats.builder()
                .config("authorization { user: app, password: \"" + PASSWORD + "\" }\n").start()) {
            assertThat(putAndGet(env(server, "NATS_USER", "app", "NATS_PASSWORD", PASSWORD))).isEqualTo("authenticated");

            Throwable wrong = refusal(env(server, "NATS_USER", "app", "NATS_PASSWORD", "not-" + PASSWORD));
            assertThat(wrong).isNotNull();
            assertThat(wrong.toString()).doesNotContain(PASSWORD);
            assertThat(refusal(env(server))).as("no credentials at all").isNotNull();
        }
    }

    @Test
    void tokenFromTheEnvironmentLogsIn() {
        try (EmbeddedNats server = EmbeddedNats.builder().config("authorization { token: \"" + TOKEN + "\" }\n").start()) {
            assertThat(putAndGet(env(server, "NATS_TOKEN", TOKEN))).isEqualTo("authenticated");

            Throwable wrong = refusal(env(server, "NATS_TOKEN", "tok-wrong"));
            assertThat(wrong).isNotNull();
            assertThat(wrong.toString()).doesNotContain(TOKEN);
        }
    }

    @Test
    void nkeySeedFileFromTheEnvironmentLogsIn(@TempDir Path dir) throws Exception {
        NKey user = NKey.createUser(null);
        NKey other = NKey.createUser(null);
        Path seed = Files.writeString(dir.resolve("user.nk"), new String(user.getSeed()));
        Path otherSeed = Files.writeString(dir.resolve("other.nk"), new String(other.getSeed()));
        try (EmbeddedNats server = EmbeddedNats.builder()
                .config("authorization { users = [ { nkey: " + new String(user.getPublicKey()) + " } ] }\n").start()) {
            assertThat(putAndGet(env(server, "NATS_NKEY", seed.toString()))).isEqualTo("authenticated");
            assertThat(putAndGet(env(server, "NATS_NKEY_FILE", seed.toString()))).isEqualTo("authenticated");

            Throwable wrong = refusal(env(server, "NATS_NKEY_FILE", otherSeed.toString()));
            assertThat(wrong).isNotNull();
            assertThat(wrong.toString()).doesNotContain(new String(other.getSeed()));
        }
    }
}
