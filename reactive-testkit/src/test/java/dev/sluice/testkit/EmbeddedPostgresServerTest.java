package dev.sluice.testkit;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmbeddedPostgresServerTest {

    @Test
    void sharedServerIsACurrentPostgresWithSagaAndInsightSettings() {
        PostgresServer server = SluiceServers.postgres();
        TestDatabase admin = server.adminDatabase();

        int major = Integer.parseInt(PostgresServer.queryString(admin, "SHOW server_version_num")) / 10000;
        assertThat(major).isGreaterThanOrEqualTo(16);
        assertThat(Integer.parseInt(PostgresServer.queryString(admin, "SHOW max_prepared_transactions"))).isPositive();
        assertThat(PostgresServer.queryString(admin, "SHOW shared_preload_libraries")).contains("pg_stat_statements");

        TestDatabase db = server.createDatabase("insight");
        try {
            PostgresServer.execute(db, "CREATE EXTENSION pg_stat_statements");
            assertThat(Long.parseLong(PostgresServer.queryString(db, "SELECT count(*) FROM pg_stat_statements"))).isNotNegative();
        } finally {
            server.dropDatabase(db);
        }
    }

    @Test
    void eachTestDatabaseIsIsolated() {
        PostgresServer server = SluiceServers.postgres();
        TestDatabase first = server.createDatabase("iso");
        TestDatabase second = server.createDatabase("iso");
        try {
            assertThat(first.database()).isNotEqualTo(second.database());
            PostgresServer.execute(first, "CREATE TABLE only_here (id int)");
            assertThat(PostgresServer.queryString(first, "SELECT to_regclass('only_here')::text")).isEqualTo("only_here");
            assertThat(PostgresServer.queryString(second, "SELECT to_regclass('only_here')::text")).isNull();
        } finally {
            server.dropDatabase(first);
            server.dropDatabase(second);
        }
        assertThat(PostgresServer.queryString(server.adminDatabase(),
                "SELECT count(*) FROM pg_database WHERE datname = '" + first.database() + "'")).isEqualTo("0");
    }

    @Test
    void aTestCanAskForMoreServerSettings() {
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.builder().setting("work_mem", "77MB").start()) {
            TestDatabase admin = pg.server().adminDatabase();
            assertThat(PostgresServer.queryString(admin, "SHOW work_mem")).isEqualTo("77MB");
            assertThat(PostgresServer.queryString(admin, "SHOW max_prepared_transactions")).isEqualTo("64");
        }
    }

    @Test
    void stopAndStartKeepPortAndData() throws SQLException {
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.builder().start()) {
            TestDatabase admin = pg.server().adminDatabase();
            PostgresServer.execute(admin, "CREATE TABLE kept (v text)");
            PostgresServer.execute(admin, "INSERT INTO kept VALUES ('still here')");
            long firstPid = pg.pid();

            pg.stop();
            assertThat(pg.isRunning()).isFalse();
            assertThatThrownBy(() -> PostgresServer.openJdbc(admin).close()).isInstanceOf(SQLException.class);

            pg.startProcess();
            assertThat(pg.pid()).isNotEqualTo(firstPid);
            try (Connection c = PostgresServer.openJdbc(admin); Statement s = c.createStatement()) {
                var rs = s.executeQuery("SELECT v FROM kept");
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("still here");
            }
        }
    }

    @Test
    void closeRemovesTheDataDirectory() {
        EmbeddedPostgresServer pg = EmbeddedPostgresServer.builder().start();
        assertThat(pg.dataDirectory().resolve("PG_VERSION")).exists();
        pg.close();
        assertThat(pg.dataDirectory()).doesNotExist();
    }
}
