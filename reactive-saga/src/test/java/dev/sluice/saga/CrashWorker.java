package dev.sluice.saga;

import dev.sluice.pool.PgPool;
import dev.sluice.pool.kv.KvStorage;
import dev.sluice.pool.kv.KvStores;
import dev.sluice.pool.kv.NatsConfig;
import dev.sluice.testkit.TestDatabase;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.Map;

/**
 * The process the crash test kills: runs {@code count} sagas of {@link CrashWorkload} with {@code concurrency} at a
 * time against the servers named on its command line, until it is killed.
 *
 * <p>Arguments: host port database user password natsUrl bucketPrefix count concurrency logSchema orderTable.
 */
public final class CrashWorker {

    private CrashWorker() {
    }

    public static void main(String[] args) {
        TestDatabase db = new TestDatabase(args[0], Integer.parseInt(args[1]), args[2], args[3], args[4]);
        int count = Integer.parseInt(args[7]);
        int concurrency = Integer.parseInt(args[8]);
        PgPool pool = PgPool.create(SagaFixture.poolConfig(db, "worker", 16).build());
        KvStores stores = KvStores.create(NatsConfig.builder().servers(args[5]).bucketPrefix(args[6])
                .bucket("main", b -> b.history(10).storage(KvStorage.FILE)).build());
        stores.start().block(Duration.ofSeconds(30));
        SagaExecutor executor = SagaExecutor.builder(SagaLog.create(pool, new SagaLogConfig(args[9], ""))).ownerId("crash-worker")
                .leaseDuration(Duration.ofSeconds(2)).build();
        SagaDefinition definition = CrashWorkload.definition(stores.store("main"), pool, args[10]);
        // A saga stopped by an error (such as the pool's acquire timeout on a loaded machine) is left to recovery, as a
        // killed one is: the workload goes on with the others.
        Flux.range(0, count).flatMap(n -> executor.run(definition, Map.of("n", n)).onErrorResume(error -> Mono.empty()), concurrency)
                .blockLast();
        System.out.println("all " + count + " sagas finished before the kill");
        System.exit(0);
    }
}
