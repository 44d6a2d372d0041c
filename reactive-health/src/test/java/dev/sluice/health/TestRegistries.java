package dev.sluice.health;

import dev.sluice.pool.PgPoolConfig;
import dev.sluice.pool.SslMode;
import dev.sluice.pool.kv.KvStorage;
import dev.sluice.pool.kv.NatsConfig;
import dev.sluice.pool.kv.ReconnectPolicy;
import dev.sluice.testkit.TestDatabase;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Pool and NATS configurations pointing at testkit servers, and a polling wait. */
public final class TestRegistries {

    private TestRegistries() {
    }

    /** A pool of the test database: no TLS, 2 s acquire and connect timeouts. */
    public static PgPoolConfig.Builder pool(String name, TestDatabase db) {
        return PgPoolConfig.builder(name)
                .host(db.host()).port(db.port()).database(db.database()).user(db.user()).password(db.password())
                .sslMode(SslMode.DISABLE)
                .acquireTimeout(Duration.ofSeconds(2))
                .connectTimeout(Duration.ofSeconds(2));
    }

    /** NATS at {@code url} with one in-memory bucket, 1 s requests and quick reconnects. */
    public static NatsConfig nats(String url, String bucket) {
        return NatsConfig.builder()
                .servers(url)
                .requestTimeout(Duration.ofSeconds(1))
                .connectTimeout(Duration.ofSeconds(2))
                .reconnect(ReconnectPolicy.DEFAULT.withDelay(Duration.ofMillis(200)).withMaxAttempts(-1))
                .bucket(bucket, b -> b.storage(KvStorage.MEMORY))
                .build();
    }

    /** Waits until {@code condition} holds, polling every 20 ms; fails naming {@code what} after {@code timeout}. */
    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        dev.sluice.testkit.Await.until(what, timeout, condition);
    }
}
