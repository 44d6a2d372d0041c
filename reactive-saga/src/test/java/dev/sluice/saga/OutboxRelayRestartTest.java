package dev.sluice.saga;

import dev.sluice.pool.kv.KvEntry;
import dev.sluice.pool.kv.KvStorage;
import dev.sluice.pool.kv.KvStores;
import dev.sluice.pool.kv.NatsConfig;
import dev.sluice.testkit.FaultProxy;
import dev.sluice.testkit.NatsServer;
import dev.sluice.testkit.SluiceExtension;
import dev.sluice.testkit.TestDatabase;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.sluice.saga.SagaFixture.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 8, eventual strategy: the outbox relay survives restarts. A relay (slowed by network latency so its batches
 * take seconds) is interrupted in the middle of a batch, after some of the batch's puts reached KV but before the
 * batch was marked delivered: its executor is closed, or its process is killed with SIGKILL. A relay of another
 * executor then delivers the rest: every row reaches KV once (the repeated puts are recognised by their message
 * ids and recorded with the original revisions), in order per key, and none stays pending.
 */
@ExtendWith(SluiceExtension.class)
class OutboxRelayRestartTest {

    private static final int ROUNDS = 4;
    private static final int ROWS = ROUNDS * OutboxLedger.ACCOUNTS;

    @ParameterizedTest(name = "the first relay is {0} mid-batch")
    @ValueSource(strings = {"stopped", "killed"})
    void everyOutboxRowReachesKvOnceInOrderWhenTheRelayIsInterruptedMidBatch(String interruption, TestDatabase db, NatsServer nats)
            throws Exception {
        String schema = "outbox_restart_" + interruption;
        String outbox = schema + ".saga_outbox";
        try (SagaFixture fx = new SagaFixture(db, nats, new SagaLogConfig(schema, ""));
             FaultProxy slowNats = FaultProxy.start(URI.create(nats.url()).getHost(), URI.create(nats.url()).getPort())) {
            SagaDefinition ledger = OutboxLedger.definition(fx.kv);
            try (SagaExecutor writer = fx.executor("outbox-writer")) {
                for (int round = 0; round < ROUNDS; round++) {
                    assertThat(writer.run(ledger, Map.of("round", round)).block(WAIT).outcome()).isEqualTo(SagaOutcome.COMPLETED);
                }
            }
            assertThat(fx.query("SELECT count(*) FROM " + outbox + " WHERE delivered_at IS NULL")).isEqualTo(String.valueOf(ROWS));

            slowNats.addLatency(Duration.ofMillis(20));
            String slowUrl = "nats://" + slowNats.host() + ":" + slowNats.port();
            if (interruption.equals("killed")) {
                Process worker = startWorker(db, slowUrl, fx.bucketPrefix, schema);
                try {
                    awaitMidBatch(fx, outbox, () -> assertThat(worker.isAlive()).as("the relay worker is alive").isTrue());
                    assertThat(new ProcessBuilder("kill", "-9", String.valueOf(worker.pid())).start().waitFor()).isZero();
                    assertThat(worker.waitFor(10, TimeUnit.SECONDS)).isTrue();
                } finally {
                    worker.destroyForcibly();
                }
                assertThat(worker.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
            } else {
                try (KvStores slowStores = KvStores.create(NatsConfig.builder().servers(slowUrl).bucketPrefix(fx.bucketPrefix)
                        .bucket("main", b -> b.history(10).storage(KvStorage.FILE)).build())) {
                    slowStores.start().block(WAIT);
                    SagaExecutor first = fx.executor("relay-first").register(OutboxLedger.definition(slowStores.store("main")));
                    try {
                        first.outbox().start().block();
                        awaitMidBatch(fx, outbox, () -> { });
                    } finally {
                        first.close();
                    }
                }
            }
            Thread.sleep(200); // what the interrupted relay had in flight lands (or not) before counting
            long entries = entries(fx);
            long delivered = delivered(fx, outbox);
            assertThat(entries - delivered).as("puts in KV (%d) not marked delivered (%d): the interrupted batch's", entries, delivered)
                    .isPositive();
            assertThat(delivered).as("rows marked delivered when interrupted").isLessThan(ROWS);

            try (SagaExecutor second = fx.executor("relay-second").register(ledger)) {
                second.outbox().start().block();
                SagaFixture.await("every outbox row delivered by the second relay", Duration.ofSeconds(60),
                        () -> second.outbox().pending().block(WAIT) == 0L);
            }

            List<String> expected = new ArrayList<>();
            for (int round = 0; round < ROUNDS; round++) {
                expected.add("r" + round);
            }
            assertThat(entries(fx)).as("KV entries: one per outbox row").isEqualTo(ROWS);
            for (int i = 0; i < OutboxLedger.ACCOUNTS; i++) {
                String key = "acct." + i;
                List<KvEntry> history = fx.kv.history(key).collectList().block(WAIT);
                assertThat(history).extracting(KvEntry::valueAsString).as("%s: each row once, in saga order", key).isEqualTo(expected);
                assertThat(fx.query("SELECT string_agg(revision::text, ',' ORDER BY id) FROM " + outbox + " WHERE key = '" + key + "'"))
                        .as("%s: the revisions the log recorded are those in KV", key)
                        .isEqualTo(String.join(",", history.stream().map(e -> String.valueOf(e.revision())).toList()));
            }
        }
    }

    private static void awaitMidBatch(SagaFixture fx, String outbox, Runnable alive) {
        SagaFixture.await("a batch past its fifth put and not yet marked delivered", Duration.ofSeconds(60), () -> {
            alive.run();
            long delivered = delivered(fx, outbox);
            return delivered >= OutboxLedger.ACCOUNTS && entries(fx) - delivered >= 5;
        });
    }

    private static long entries(SagaFixture fx) {
        return fx.kv.status().block(WAIT).entries();
    }

    private static long delivered(SagaFixture fx, String outbox) {
        return Long.parseLong(fx.query("SELECT count(*) FROM " + outbox + " WHERE delivered_at IS NOT NULL"));
    }

    private static Process startWorker(TestDatabase db, String natsUrl, String bucketPrefix, String schema) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path output = Path.of("target", "outbox-relay-worker.log");
        Files.createDirectories(output.getParent());
        return new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"), OutboxRelayWorker.class.getName(),
                db.host(), String.valueOf(db.port()), db.database(), db.user(), db.password(), natsUrl, bucketPrefix, schema)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .directory(new File("."))
                .start();
    }
}
