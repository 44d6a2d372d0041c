package dev.sluice.bench.scenario;

import dev.sluice.bench.Progress;
import dev.sluice.bench.load.LoadPlan;
import dev.sluice.bench.load.LoadSystem;
import dev.sluice.bench.load.Measurement;
import dev.sluice.bench.report.SystemResult;
import dev.sluice.bench.system.CountsOperations;
import dev.sluice.bench.system.PgActivity;
import dev.sluice.bench.system.PgActivityProbe;
import dev.sluice.testkit.PostgresServer;
import dev.sluice.testkit.SluiceServers;
import dev.sluice.testkit.TestDatabase;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The accounting around turns of a system that does known work on a real PostgreSQL: what it puts in the results is
 * that work divided by the operations, over every turn, with the system's warm-up work included.
 */
class PgWriteAccountingTest {

    private static final LoadPlan PLAN = new LoadPlan(1, Duration.ofMillis(1), Duration.ofMillis(1));

    private static PostgresServer server;
    private static TestDatabase database;

    @BeforeAll
    static void createDatabase() {
        server = SluiceServers.postgres();
        database = server.createDatabase("accounting");
        PostgresServer.execute(database, "CREATE TABLE orders (id int PRIMARY KEY, state text)");
    }

    @AfterAll
    static void dropDatabase() {
        server.dropDatabase(database);
    }

    @Test
    void dividesEachSystemsWorkInAllItsTurnsByItsOperations() throws Exception {
        KnownWork system = new KnownWork("known-work", 40);
        long session;
        try (PgActivityProbe probe = PgActivityProbe.open(database)) {
            session = emptySessionCommits(probe);
        }
        List<SystemResult> results;
        try (PgWriteAccounting accounting = PgWriteAccounting.open(database)) {
            LoadSystem counted = accounting.counting(system);
            SystemResult first = counted.measure(PLAN, progress()).toResult(counted.name());
            counted.measure(PLAN, progress());
            results = accounting.withCounts(List.of(first, SystemResult.skipped("other", "not run")));
        }

        Map<String, Object> pg = PgWriteAccounting.counts(results.get(0)).orElseThrow();
        long commits = 2 * 80 + 2 * session;
        assertThat(pg).containsEntry("operations", 80L)
                .as("per operation an insert and an update in one transaction, then a read-only transaction; and two sessions")
                .containsEntry("commits", commits).containsEntry("commitsPerOp", Math.round(commits / 80.0 * 1000) / 1000.0)
                .containsEntry("rowsWritten", 160L).containsEntry("rowsWrittenPerOp", 2.0).containsEntry("rowsInsertedPerOp", 1.0).containsEntry("rowsUpdatedPerOp", 1.0)
                .containsEntry("rowsWrittenPerOpByTable", Map.of("public.orders", 2.0));
        assertThat(results.get(0).details()).containsKey("operationsCompleted");
        assertThat(PgWriteAccounting.counts(results.get(1))).isEmpty();
        assertThat(SagaThroughput.postgresPerSaga(results)).contains(String.format(java.util.Locale.ROOT,
                "PostgreSQL per saga in this run: known-work %.2f commits and 2.00 rows written.", commits / 80.0));
    }

    /** What PostgreSQL counts for a session that runs nothing. */
    private static long emptySessionCommits(PgActivityProbe probe) throws Exception {
        assertThat(probe.awaitNoOtherSessions(Duration.ofSeconds(30))).isTrue();
        PgActivity before = probe.read();
        PostgresServer.openJdbc(database).close();
        assertThat(probe.awaitNoOtherSessions(Duration.ofSeconds(30))).isTrue();
        return probe.read().since(before).commits();
    }

    private static Progress progress() {
        return new Progress(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false);
    }

    /** Each operation: one transaction inserting a row and updating it, then one read-only transaction. */
    private static final class KnownWork implements LoadSystem, CountsOperations {

        private final String name;
        private final int operationsPerTurn;
        private final AtomicInteger completed = new AtomicInteger();
        private final AtomicInteger nextId = new AtomicInteger();

        KnownWork(String name, int operationsPerTurn) {
            this.name = name;
            this.operationsPerTurn = operationsPerTurn;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public long operationsCompleted() {
            return completed.get();
        }

        @Override
        public Measurement measure(LoadPlan plan, Progress progress) throws Exception {
            Histogram latency = new Histogram(3);
            try (Connection c = PostgresServer.openJdbc(database); Statement s = c.createStatement()) {
                c.setAutoCommit(false);
                for (int i = 0; i < operationsPerTurn; i++) {
                    int id = nextId.incrementAndGet();
                    s.executeUpdate("INSERT INTO orders VALUES (" + id + ", 'new')");
                    s.executeUpdate("UPDATE orders SET state = 'done' WHERE id = " + id);
                    c.commit();
                    s.executeQuery("SELECT state FROM orders WHERE id = " + id).close();
                    c.commit();
                    completed.incrementAndGet();
                    latency.recordValue(1_000);
                }
            }
            return Measurement.window(latency, Map.of(), 0, 0, 1.0, 1, null, List.of(), Map.of());
        }
    }
}
