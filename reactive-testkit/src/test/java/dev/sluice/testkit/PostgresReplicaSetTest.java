package dev.sluice.testkit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class PostgresReplicaSetTest {

    private static final Duration REPLAY_TIMEOUT = Duration.ofSeconds(30);

    private static PostgresReplicaSet set;
    private static TestDatabase onPrimary;
    private static TestDatabase onReplica;

    @BeforeAll
    static void startPrimaryWithReplica() {
        set = PostgresReplicaSet.start();
        onPrimary = set.primary().server().createDatabase("replica");
        onReplica = onPrimary.at("127.0.0.1", set.replica().port());
        set.awaitReplayed(REPLAY_TIMEOUT);
    }

    @AfterAll
    static void closeSet() {
        if (set != null) {
            set.close();
        }
    }

    @Test
    void writeOnPrimaryAppearsOnReplica() {
        PostgresServer.execute(onPrimary, "CREATE TABLE greetings (text text)");
        PostgresServer.execute(onPrimary, "INSERT INTO greetings VALUES ('hello from the primary')");

        set.awaitReplayed(REPLAY_TIMEOUT);

        assertThat(PostgresServer.queryString(onReplica, "SELECT text FROM greetings")).isEqualTo("hello from the primary");
    }

    @Test
    void replicaIsAHotStandbyStreamingFromThePrimary() {
        assertThat(PostgresServer.queryString(onReplica, "SELECT pg_is_in_recovery()")).isEqualTo("t");
        assertThat(PostgresServer.queryString(onPrimary, "SELECT pg_is_in_recovery()")).isEqualTo("f");
        assertThat(PostgresServer.queryString(onPrimary,
                "SELECT state FROM pg_stat_replication WHERE application_name = 'sluice_replica_0'")).isEqualTo("streaming");
    }

    @Test
    void writeOnReplicaFailsAsReadOnly() throws SQLException {
        try (Connection c = PostgresServer.openJdbc(onReplica); Statement s = c.createStatement()) {
            SQLException refused = catchThrowableOfType(SQLException.class, () -> s.execute("CREATE TABLE not_here (id int)"));

            assertThat(refused.getSQLState()).isEqualTo("25006");
        }
    }

    @Test
    void stoppedReplicaRefusesConnectionsAndCatchesUpAfterStart() {
        PostgresServer.execute(onPrimary, "CREATE TABLE while_down (id int)");
        set.stopReplica();
        try {
            assertThat(set.replica().isRunning()).isFalse();
            assertThatThrownBy(() -> PostgresServer.openJdbc(onReplica).close())
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("08001"));

            PostgresServer.execute(onPrimary, "INSERT INTO while_down SELECT generate_series(1, 5000)");
            assertThat(set.awaitReplayed(REPLAY_TIMEOUT)).as("stopped replicas are not waited for").isNotBlank();
        } finally {
            set.startReplica();
        }

        set.awaitReplayed(REPLAY_TIMEOUT);

        assertThat(PostgresServer.queryString(onReplica, "SELECT count(*) FROM while_down")).isEqualTo("5000");
        assertThat(PostgresServer.queryString(onReplica, "SELECT pg_is_in_recovery()")).isEqualTo("t");
    }

    @Test
    void everyReplicaReplaysAndCloseRemovesEverything() {
        PostgresReplicaSet two = PostgresReplicaSet.builder().replicas(2).setting("work_mem", "12MB").start();
        List<Path> dataDirectories;
        List<Long> pids;
        try {
            TestDatabase admin = two.primary().server().adminDatabase();
            PostgresServer.execute(admin, "CREATE TABLE fan_out (v int)");
            PostgresServer.execute(admin, "INSERT INTO fan_out VALUES (42)");

            two.awaitReplayed(REPLAY_TIMEOUT);

            for (EmbeddedPostgresServer replica : two.replicas()) {
                TestDatabase replicaAdmin = replica.server().adminDatabase();
                assertThat(PostgresServer.queryString(replicaAdmin, "SELECT v FROM fan_out")).isEqualTo("42");
                assertThat(PostgresServer.queryString(replicaAdmin, "SHOW work_mem")).isEqualTo("12MB");
            }
            assertThat(two.replica(0).port()).isNotEqualTo(two.replica(1).port());
            dataDirectories = List.of(two.primary().dataDirectory(), two.replica(0).dataDirectory(), two.replica(1).dataDirectory());
            pids = List.of(two.primary().pid(), two.replica(0).pid(), two.replica(1).pid());
        } finally {
            two.close();
        }

        assertThat(dataDirectories).allSatisfy(dir -> assertThat(dir).doesNotExist());
        assertThat(pids).allSatisfy(pid -> assertThat(hasEnded(pid, Duration.ofSeconds(10))).as("postmaster %d ended", pid).isTrue());
    }

    private static boolean hasEnded(long pid, Duration within) {
        try {
            ProcessHandle.of(pid).ifPresent(process -> process.onExit().orTimeout(within.toMillis(), TimeUnit.MILLISECONDS).join());
            return true;
        } catch (CompletionException timedOut) {
            return false;
        }
    }
}
