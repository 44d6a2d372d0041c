package dev.sluice.saga;

import dev.sluice.saga.TwoPhaseCrashWorkload.Stop;
import dev.sluice.testkit.NatsServer;
import dev.sluice.testkit.PostgresServer;
import dev.sluice.testkit.SluiceExtension;
import dev.sluice.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static dev.sluice.saga.SagaFixture.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 8, two-phase: a separate JVM is killed with SIGKILL while its sagas' transactions sit in
 * {@code pg_prepared_xacts}, at each moment between {@code PREPARE TRANSACTION} and {@code COMMIT PREPARED} (see
 * {@link TwoPhaseCrashWorkload.Stop}); another instance recovers them: each saga ends as its log and its verdict
 * say, PostgreSQL and KV agree, and no prepared transaction of the log is left.
 */
@ExtendWith(SluiceExtension.class)
class TwoPhaseCrashRecoveryTest {

    private static final int SAGAS = 24;
    private static final String SCHEMA = "crash_2pc";
    private static final String TABLE = "crash_2pc_orders";

    @Test
    void preparedTransactionsOfAKilledProcessAreSettledByRecoveryPerTheLog(TestDatabase db, NatsServer nats) throws Exception {
        try (SagaFixture fx = new SagaFixture(db, nats, new SagaLogConfig(SCHEMA, ""))) {
            PostgresServer.execute(db, "CREATE TABLE " + TABLE + " (id bigserial PRIMARY KEY, saga_id uuid NOT NULL, n int NOT NULL)");
            String ours = "database = current_database() AND starts_with(gid, '" + fx.log.preparedGidPrefix() + "')";
            Map<Integer, String> planned = new TreeMap<>();
            for (int n = 0; n < SAGAS; n++) {
                Stop stop = TwoPhaseCrashWorkload.stop(n);
                planned.put(n, switch (stop) {
                    case DECIDED -> "COMMITTING:COMPLETED";
                    case PREPARED -> "PREPARED:STARTED";
                    case PREPARING -> "PREPARING:-";
                });
                if (stop == Stop.DECIDED) {
                    fx.kv.put("verdict." + n, "yes").block(WAIT);
                }
            }

            Process worker = startWorker(db, nats, fx.bucketPrefix);
            try {
                SagaFixture.await("every saga held by the worker as planned, its transaction prepared", Duration.ofSeconds(180), () -> {
                    assertThat(worker.isAlive()).as("the worker is alive").isTrue();
                    return planned.equals(SagaFixture.parse(fx.query("SELECT string_agg((s.input->>'n') || ':' || p.state || ':' "
                            + "|| coalesce(c.state, '-'), ',') FROM " + SCHEMA + ".saga s JOIN " + SCHEMA + ".saga_prepared p USING (saga_id) "
                            + "JOIN pg_prepared_xacts x ON x.gid = p.gid AND x.database = current_database() LEFT JOIN " + SCHEMA
                            + ".saga_step c ON c.saga_id = s.saga_id AND c.step_id = 'confirm'")));
                });
                assertThat(fx.query("SELECT count(*) FROM pg_prepared_xacts WHERE " + ours)).isEqualTo(String.valueOf(SAGAS));
                assertThat(new ProcessBuilder("kill", "-9", String.valueOf(worker.pid())).start().waitFor()).isZero();
                assertThat(worker.waitFor(10, TimeUnit.SECONDS)).isTrue();
            } finally {
                worker.destroyForcibly();
            }
            assertThat(worker.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
            assertThat(fx.query("SELECT count(*) FROM pg_prepared_xacts WHERE " + ours))
                    .as("the kill ends no prepared transaction").isEqualTo(String.valueOf(SAGAS));
            for (int n = 0; n < SAGAS; n++) {
                if (TwoPhaseCrashWorkload.stop(n) != Stop.DECIDED) {
                    fx.kv.put("verdict." + n, TwoPhaseCrashWorkload.confirmed(n) ? "yes" : "no").block(WAIT);
                }
            }

            SagaDefinition definition = TwoPhaseCrashWorkload.definition(fx.kv, fx.pool, TABLE);
            try (SagaExecutor recoverer = SagaExecutor.builder(fx.log).ownerId("two-phase-recoverer").leaseDuration(Duration.ofSeconds(2)).recoveryInterval(Duration.ofMillis(100))
                    .register(definition).build()) {
                recoverer.recovery().start().block();
                SagaFixture.await("every saga terminal", Duration.ofSeconds(120), () -> "0".equals(fx.query(
                        "SELECT count(*) FROM " + SCHEMA + ".saga WHERE state IN ('RUNNING', 'COMPENSATING')")));
            }

            assertThat(fx.query("SELECT count(*) FROM pg_prepared_xacts WHERE " + ours)).as("prepared transactions left").isEqualTo("0");
            Map<Integer, String> sagas = SagaFixture.parse(fx.query("SELECT string_agg((s.input->>'n') || ':' || s.state || ':' || p.state || ':' "
                    + "|| s.recoveries, ',') FROM " + SCHEMA + ".saga s JOIN " + SCHEMA + ".saga_prepared p USING (saga_id)"));
            Map<Integer, String> orders = SagaFixture.parse(fx.query("SELECT string_agg(n || ':' || c, ',') FROM (SELECT n, count(*) c FROM "
                    + TABLE + " GROUP BY n) x"));
            assertThat(sagas).hasSize(SAGAS);

            List<String> disagreements = new ArrayList<>();
            Flux.range(0, SAGAS).concatMap(n -> Mono.zip(fx.puts("item." + n), fx.puts("mark." + n),
                            fx.current("item." + n), fx.current("mark." + n))
                    .doOnNext(kv -> {
                        boolean completed = TwoPhaseCrashWorkload.confirmed(n);
                        String expected = completed ? "COMPLETED:COMMITTED:1" : "ROLLED_BACK:ROLLED_BACK:1";
                        String value = completed ? String.valueOf(n) : "";
                        String order = orders.getOrDefault(n, "0");
                        if (!expected.equals(sagas.get(n)) || !order.equals(completed ? "1" : "0") || kv.getT1() > 1 || kv.getT2() > 1
                                || !kv.getT3().equals(value) || !kv.getT4().equals(value)) {
                            disagreements.add("saga " + n + " (" + TwoPhaseCrashWorkload.stop(n) + "): saga:prepared:recoveries "
                                    + sagas.get(n) + " (expected " + expected + "), orders " + order + ", item puts " + kv.getT1()
                                    + ", mark puts " + kv.getT2() + ", item '" + kv.getT3() + "', mark '" + kv.getT4() + "'");
                        }
                    })).blockLast(Duration.ofSeconds(60));
            assertThat(disagreements).isEmpty();
        }
    }

    private static Process startWorker(TestDatabase db, NatsServer nats, String bucketPrefix) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path output = Path.of("target", "two-phase-crash-worker.log");
        Files.createDirectories(output.getParent());
        return new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"), TwoPhaseCrashWorker.class.getName(),
                db.host(), String.valueOf(db.port()), db.database(), db.user(), db.password(), nats.url(), bucketPrefix,
                String.valueOf(SAGAS), SCHEMA, TABLE)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .directory(new File("."))
                .start();
    }

}
