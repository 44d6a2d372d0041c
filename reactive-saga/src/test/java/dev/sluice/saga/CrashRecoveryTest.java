package dev.sluice.saga;

import dev.sluice.testkit.NatsServer;
import dev.sluice.testkit.PostgresServer;
import dev.sluice.testkit.SluiceExtension;
import dev.sluice.testkit.TestDatabase;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Brief section 7: a separate JVM runs 1,000 sagas and is killed with SIGKILL while they run; another instance
 * recovers; every saga reaches a terminal state, and PostgreSQL and KV agree, with no effect applied twice.
 */
@ExtendWith(SluiceExtension.class)
class CrashRecoveryTest {

    private static final int SAGAS = 1000;
    private static final Duration RECOVERY_WAIT = Duration.ofSeconds(180);

    @ParameterizedTest(name = "killed after about {0} sagas were logged")
    @ValueSource(ints = {100, 550, 850})
    void everySagaOfAKilledProcessReachesATerminalStateAndTheStoresAgree(int killAfter, TestDatabase db, NatsServer nats) throws Exception {
        String schema = "crash_" + killAfter;
        String table = "crash_orders_" + killAfter;
        int threshold = killAfter + ThreadLocalRandom.current().nextInt(100);
        try (SagaFixture fx = new SagaFixture(db, nats, new SagaLogConfig(schema, ""))) {
            PostgresServer.execute(db, "CREATE TABLE " + table + " (id bigserial PRIMARY KEY, saga_id uuid NOT NULL, n int NOT NULL)");

            Process worker = startWorker(db, nats, fx.bucketPrefix, schema, table, killAfter);
            try {
                SagaFixture.await(threshold + " sagas logged by the worker", Duration.ofSeconds(180), () -> {
                    assertThat(worker.isAlive()).as("the worker is alive").isTrue();
                    return Integer.parseInt(fx.query("SELECT count(*) FROM " + schema + ".saga")) >= threshold;
                });
                assertThat(new ProcessBuilder("kill", "-9", String.valueOf(worker.pid())).start().waitFor()).isZero();
                assertThat(worker.waitFor(10, TimeUnit.SECONDS)).isTrue();
            } finally {
                worker.destroyForcibly();
            }
            assertThat(worker.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
            int interrupted = Integer.parseInt(fx.query("SELECT count(*) FROM " + schema + ".saga WHERE state IN ('RUNNING', 'COMPENSATING')"));
            assertThat(interrupted).as("sagas interrupted by the kill").isPositive();

            SagaDefinition definition = CrashWorkload.definition(fx.kv, fx.pool, table);
            try (SagaExecutor recoverer = SagaExecutor.builder(fx.log).ownerId("recoverer").leaseDuration(Duration.ofSeconds(2)).recoveryInterval(Duration.ofMillis(100))
                    .register(definition).build()) {
                recoverer.recovery().start().block();
                SagaFixture.await("every saga terminal", RECOVERY_WAIT, () -> "0".equals(fx.query(
                        "SELECT count(*) FROM " + schema + ".saga WHERE state IN ('RUNNING', 'COMPENSATING')")));
            }

            Map<Integer, String> states = SagaFixture.parse(fx.query("SELECT string_agg((input->>'n') || ':' || state, ',') FROM " + schema + ".saga"));
            Map<Integer, String> orders = SagaFixture.parse(fx.query("SELECT string_agg(n || ':' || c, ',') FROM (SELECT n, count(*) c FROM "
                    + table + " GROUP BY n) x"));
            assertThat(states.size()).isGreaterThanOrEqualTo(threshold);
            assertThat(fx.query("SELECT count(*) FROM " + schema + ".saga WHERE recoveries > 0")).isEqualTo(String.valueOf(interrupted));

            List<String> disagreements = new ArrayList<>();
            Flux.range(0, SAGAS).flatMap(n -> Mono.zip(fx.puts("item." + n), fx.puts("mark." + n),
                            fx.current("item." + n), fx.current("mark." + n))
                    .doOnNext(kv -> {
                        String state = states.get(n);
                        String order = orders.getOrDefault(n, "0");
                        String expected = state == null ? "never started" : CrashWorkload.fails(n) ? "ROLLED_BACK" : "COMPLETED";
                        boolean present = "COMPLETED".equals(state);
                        boolean agrees = (state == null || state.equals(expected))
                                && kv.getT1() <= 1 && kv.getT2() <= 1
                                && kv.getT3().equals(present ? String.valueOf(n) : "")
                                && kv.getT4().equals(present ? String.valueOf(n) : "")
                                && order.equals(present ? "1" : "0");
                        if (!agrees) {
                            disagreements.add("saga " + n + ": state " + state + " (expected " + expected + "), item puts " + kv.getT1()
                                    + ", mark puts " + kv.getT2() + ", item '" + kv.getT3() + "', mark '" + kv.getT4() + "', orders " + order);
                        }
                    }), 16).blockLast(Duration.ofSeconds(120));
            assertThat(disagreements).isEmpty();
        }
    }

    private static Process startWorker(TestDatabase db, NatsServer nats, String bucketPrefix, String schema, String table, int run)
            throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path output = Path.of("target", "crash-worker-" + run + ".log");
        Files.createDirectories(output.getParent());
        return new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"), CrashWorker.class.getName(),
                db.host(), String.valueOf(db.port()), db.database(), db.user(), db.password(), nats.url(), bucketPrefix,
                String.valueOf(SAGAS), "64", schema, table)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .directory(new File("."))
                .start();
    }

}
