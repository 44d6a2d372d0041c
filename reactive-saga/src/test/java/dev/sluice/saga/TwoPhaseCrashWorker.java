package dev.sluice.saga;

import dev.sluice.pool.PgPool;
import dev.sluice.pool.kv.KvStorage;
import dev.sluice.pool.kv.KvStores;
import dev.sluice.pool.kv.NatsConfig;
import dev.sluice.testkit.TestDatabase;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import reactor.core.publisher.Flux;

import java.time.Duration;
import java.util.Map;

/**
 * The process the two-phase crash test kills: runs {@code count} sagas of {@link TwoPhaseCrashWorkload} at once,
 * each held where {@link TwoPhaseCrashWorkload#stop} says (by {@link HeldStatements} for the SQL side, by the
 * missing verdict for the rest), until it is killed.
 *
 * <p>Arguments: host port database user password natsUrl bucketPrefix count logSchema orderTable.
 */
public final class TwoPhaseCrashWorker {

    private TwoPhaseCrashWorker() {
    }

    public static void main(String[] args) {
        TestDatabase db = new TestDatabase(args[0], Integer.parseInt(args[1]), args[2], args[3], args[4]);
        int count = Integer.parseInt(args[7]);
        HeldStatements driver = new HeldStatements(new PostgresqlConnectionFactory(PostgresqlConnectionConfiguration.builder()
                .host(db.host()).port(db.port()).database(db.database()).username(db.user()).password(db.password())
                .applicationName("two-phase-crash-worker").build()));
        PgPool pool = PgPool.create(SagaFixture.poolConfig(db, "worker", count).build(), driver);
        KvStores stores = KvStores.create(NatsConfig.builder().servers(args[5]).bucketPrefix(args[6])
                .bucket("main", b -> b.history(10).storage(KvStorage.FILE)).build());
        stores.start().block(Duration.ofSeconds(30));
        SagaExecutor executor = SagaExecutor.builder(SagaLog.create(pool, new SagaLogConfig(args[8], ""))).ownerId("two-phase-worker")
                .leaseDuration(Duration.ofSeconds(2)).build();
        executor.events().filter(e -> e.type() == SagaEvent.Type.STARTED
                        && TwoPhaseCrashWorkload.stop(Integer.parseInt(e.correlationId())) == TwoPhaseCrashWorkload.Stop.PREPARING)
                .subscribe(e -> driver.freezeAfterPrepare(e.sagaId()));
        SagaDefinition definition = TwoPhaseCrashWorkload.definition(stores.store("main"), pool, args[9]);
        Flux.range(0, count).flatMap(n -> executor.run(definition, Map.of("n", n), String.valueOf(n)), count).blockLast();
        System.out.println("all " + count + " sagas finished before the kill, which the test does not expect");
        System.exit(0);
    }
}
