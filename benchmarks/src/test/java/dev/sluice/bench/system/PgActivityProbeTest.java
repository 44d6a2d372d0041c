package dev.sluice.bench.system;

import dev.sluice.testkit.PostgresServer;
import dev.sluice.testkit.SluiceServers;
import dev.sluice.testkit.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The probe against a real PostgreSQL: a difference of two readings is exactly what the other sessions did. */
class PgActivityProbeTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static PostgresServer server;
    private static TestDatabase database;

    @BeforeAll
    static void createDatabase() {
        server = SluiceServers.postgres();
        database = server.createDatabase("probe");
        PostgresServer.execute(database, "CREATE TABLE orders (id int PRIMARY KEY, ref text)");
    }

    @AfterAll
    static void dropDatabase() {
        server.dropDatabase(database);
    }

    /** What PostgreSQL counts for a session that runs nothing (its start-up reads the catalogs in a transaction). */
    static long sessionCommits(PgActivityProbe probe, TestDatabase database) throws Exception {
        assertThat(probe.awaitNoOtherSessions(WAIT)).isTrue();
        PgActivity before = probe.read();
        PostgresServer.openJdbc(database).close();
        assertThat(probe.awaitNoOtherSessions(WAIT)).isTrue();
        PgActivity empty = probe.read().since(before);
        assertThat(empty.tables()).isEmpty();
        assertThat(empty.commits()).as("commits of a session that runs nothing").isBetween(0L, 3L);
        return empty.commits();
    }

    @Test
    void countsTheCommitsAndRowsOfASessionThatHasEnded() throws Exception {
        try (PgActivityProbe probe = PgActivityProbe.open(database)) {
            long session = sessionCommits(probe, database);
            assertThat(probe.awaitNoOtherSessions(WAIT)).isTrue();
            PgActivity before = probe.read();

            try (Connection c = PostgresServer.openJdbc(database); Statement s = c.createStatement()) {
                for (int i = 1; i <= 5; i++) {
                    s.executeUpdate("INSERT INTO orders VALUES (" + i + ", 'autocommit')");
                }
                c.setAutoCommit(false);
                s.executeUpdate("INSERT INTO orders VALUES (6, 'tx'), (7, 'tx'), (8, 'tx')");
                s.executeUpdate("UPDATE orders SET ref = 'updated' WHERE id IN (1, 2)");
                s.executeUpdate("DELETE FROM orders WHERE id = 8");
                c.commit();
                s.executeQuery("SELECT count(*) FROM orders").close();
                c.commit();
            }
            assertThat(probe.awaitNoOtherSessions(WAIT)).isTrue();
            PgActivity turn = probe.read().since(before);

            assertThat(turn.commits()).as("five autocommit inserts, one write transaction, one read-only transaction, the session")
                    .isEqualTo(7 + session);
            assertThat(turn.tables()).containsOnlyKeys("public.orders");
            assertThat(turn.tables().get("public.orders")).isEqualTo(new PgActivity.TableWrites(8, 2, 1));
        }
    }

    @Test
    void leavesItsOwnQueriesOut() throws Exception {
        try (PgActivityProbe probe = PgActivityProbe.open(database)) {
            assertThat(probe.awaitNoOtherSessions(WAIT)).isTrue();
            PgActivity first = probe.read();
            probe.read();
            assertThat(probe.awaitNoOtherSessions(WAIT)).isTrue();

            PgActivity between = probe.read().since(first);

            assertThat(between.commits()).isZero();
            assertThat(between.tables()).isEmpty();
        }
    }
}
