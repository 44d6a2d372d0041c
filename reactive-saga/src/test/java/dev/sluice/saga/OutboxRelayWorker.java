package dev.sluice.saga;

import dev.sluice.pool.PgPool;
import dev.sluice.pool.kv.KvStorage;
import dev.sluice.pool.kv.KvStores;
import dev.sluice.pool.kv.NatsConfig;
import dev.sluice.testkit.TestDatabase;

import java.time.Duration;

/**
 * The process the outbox restart test kills: an executor that only relays the outbox of {@link OutboxLedger}, a pass
 * every 100 ms, until it is killed.
 *
 * <p>Arguments: host port database user password natsUrl bucketPrefix logSchema.
 */
public final class OutboxRelayWorker {

    private OutboxRelayWorker() {
    }

    public static void main(String[] args) throws InterruptedException {
        TestDatabase db = new TestDatabase(args[0], Integer.parseInt(args[1]), args[2], args[3], args[4]);
        PgPool pool = PgPool.create(SagaFixture.poolConfig(db, "relay-worker", 4).build());
        KvStores stores = KvStores.create(NatsConfig.builder().servers(args[5]).bucketPrefix(args[6])
                .bucket("main", b -> b.history(10).storage(KvStorage.FILE)).build());
        stores.start().block(Duration.ofSeconds(30));
        SagaExecutor executor = SagaExecutor.builder(SagaLog.create(pool, new SagaLogConfig(args[7], ""))).ownerId("relay-worker").outboxInterval(Duration.ofMillis(100))
                .register(OutboxLedger.definition(stores.store("main"))).build();
        executor.outbox().start().block();
        Thread.currentThread().join();
    }
}
