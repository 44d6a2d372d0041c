package dev.sluice.saga;

import dev.sluice.pool.PgPool;
import dev.sluice.pool.PgPoolConfig;
import dev.sluice.pool.SslMode;
import dev.sluice.pool.kv.KvEntry;
import dev.sluice.pool.kv.KvStorage;
import dev.sluice.pool.kv.KvStore;
import dev.sluice.pool.kv.KvStores;
import dev.sluice.pool.kv.NatsConfig;
import dev.sluice.testkit.NatsServer;
import dev.sluice.testkit.PostgresServer;
import dev.sluice.testkit.TestDatabase;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** A pool, a KV bucket and a migrated saga log on the testkit's servers, for one test class. */
final class SagaFixture implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(30);

    final TestDatabase db;
    final PgPool pool;
    final KvStores stores;
    final KvStore kv;
    final SagaLog log;
    final String bucketPrefix;

    SagaFixture(TestDatabase db, NatsServer nats, SagaLogConfig logConfig) {
        this.db = db;
        this.pool = PgPool.create(poolConfig(db, "saga", 16).build());
        this.bucketPrefix = nats.uniqueName("saga") + "-";
        this.stores = KvStores.create(NatsConfig.builder()
                .servers(nats.url())
                .bucketPrefix(bucketPrefix)
                .bucket("main", b -> b.history(10).storage(KvStorage.FILE))
                .build());
        stores.start().block(WAIT);
        this.kv = stores.store("main");
        this.log = SagaLog.create(pool, logConfig);
        log.migrate().block(WAIT);
    }

    static PgPoolConfig.Builder poolConfig(TestDatabase db, String name, int max) {
        return PgPoolConfig.builder(name)
                .host(db.host())
                .port(db.port())
                .database(db.database())
                .user(db.user())
                .password(db.password())
                .sslMode(SslMode.DISABLE)
                .maxConnections(max)
                .acquireTimeout(Duration.ofSeconds(10));
    }

    SagaExecutor executor(String owner) {
        return SagaExecutor.builder(log).ownerId(owner).leaseDuration(Duration.ofSeconds(1))
                .recoveryInterval(Duration.ofMillis(100)).outboxInterval(Duration.ofMillis(100)).build();
    }

    String query(String sql) {
        return PostgresServer.queryString(db, sql);
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) {
        dev.sluice.testkit.Await.until(what, timeout, condition);
    }

    /** How many puts the key's history holds. */
    Mono<Long> puts(String key) {
        return kv.history(key).filter(e -> e.operation() == KvEntry.Operation.PUT).count();
    }

    /** The key's current value as text, empty when absent. */
    Mono<String> current(String key) {
        return kv.get(key).map(KvEntry::valueAsString).defaultIfEmpty("");
    }

    /** {@code n:value} pairs joined by commas (as {@code string_agg} makes them) by {@code n}; the value may hold colons. */
    static Map<Integer, String> parse(String aggregated) {
        Map<Integer, String> values = new HashMap<>();
        if (aggregated != null) {
            for (String pair : aggregated.split(",")) {
                int colon = pair.indexOf(':');
                values.put(Integer.parseInt(pair.substring(0, colon)), pair.substring(colon + 1));
            }
        }
        return values;
    }

    @Override
    public void close() {
        stores.close();
        pool.stop().block(WAIT);
    }
}
