package dev.sluice.saga;

import dev.sluice.pool.PgPool;
import dev.sluice.pool.PgPoolConfig;
import dev.sluice.pool.SslMode;
import dev.sluice.pool.kv.KvStorage;
import dev.sluice.pool.kv.KvStore;
import dev.sluice.pool.kv.KvStores;
import dev.sluice.pool.kv.NatsConfig;
import dev.sluice.testkit.NatsServer;
import dev.sluice.testkit.PostgresServer;
import dev.sluice.testkit.TestDatabase;

import java.time.Duration;
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
        return SagaExecutor.builder(log).ownerId(owner).leaseDuration(Duration.ofSeconds(1)).build();
    }

    String query(String sql) {
        return PostgresServer.queryString(db, sql);
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) {
        dev.sluice.testkit.Await.until(what, timeout, condition);
    }

    @Override
    public void close() {
        stores.close();
        pool.close().block(WAIT);
    }
}
