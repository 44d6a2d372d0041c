package dev.sluice.bench.system;

import dev.sluice.testkit.PostgresServer;
import dev.sluice.testkit.TestDatabase;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Reads PostgreSQL's activity counters for one database ({@link PgActivity}) over one JDBC connection of its own,
 * held open from {@link #open} to {@link #close()}.
 *
 * <p>The server counts each session's transactions and rows in the session itself and adds them to the shared
 * counters now and then (at most once a second while it works, and when it ends). A reading is therefore exact only
 * for sessions that have ended: {@link #awaitNoOtherSessions} waits for that. The probe runs every query in a
 * transaction it rolls back, so it adds no commit of its own to what it reads (only its session's start, before the
 * first reading), on any server version and without privileges beyond reading the statistics views. Not
 * thread-safe: one caller at a time.
 */
public final class PgActivityProbe implements AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(50);
    private static final String DATABASE = "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()";
    private static final String TABLES = "SELECT schemaname, relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables";
    private static final String OTHER_SESSIONS = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            + "AND pid <> pg_backend_pid() AND backend_type = 'client backend'";

    private final Connection connection;
    private final String database;

    private PgActivityProbe(Connection connection, String database) {
        this.connection = connection;
        this.database = database;
    }

    /**
     * Opens the probe's connection to {@code database}.
     *
     * @throws SQLException when the server refuses the connection
     */
    public static PgActivityProbe open(TestDatabase database) throws SQLException {
        Objects.requireNonNull(database, "database");
        Connection connection = PostgresServer.openJdbc(database);
        try {
            connection.setAutoCommit(false);
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
        return new PgActivityProbe(connection, database.database());
    }

    /**
     * The database's counters now. Sessions still open may not have handed their latest counts to the server yet (see
     * the class comment).
     *
     * @throws SQLException when a query fails
     */
    public PgActivity read() throws SQLException {
        try {
            long commits;
            try (PreparedStatement statement = connection.prepareStatement(DATABASE); ResultSet row = statement.executeQuery()) {
                if (!row.next()) {
                    throw new SQLException("pg_stat_database has no row for database " + database);
                }
                commits = row.getLong(1);
            }
            Map<String, PgActivity.TableWrites> tables = new LinkedHashMap<>();
            try (PreparedStatement statement = connection.prepareStatement(TABLES); ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    tables.put(rows.getString(1) + "." + rows.getString(2),
                            new PgActivity.TableWrites(rows.getLong(3), rows.getLong(4), rows.getLong(5)));
                }
            }
            return new PgActivity(commits, tables);
        } finally {
            connection.rollback();
        }
    }

    /**
     * Waits until no other client session is connected to the database, so that every session's counts have reached
     * the server's (a session hands them over before it leaves {@code pg_stat_activity}).
     *
     * @return whether that happened within {@code timeout}
     * @throws SQLException         when a query fails
     * @throws InterruptedException when interrupted while waiting
     */
    public boolean awaitNoOtherSessions(Duration timeout) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long others;
            try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(OTHER_SESSIONS)) {
                row.next();
                others = row.getLong(1);
            } finally {
                connection.rollback();
            }
            if (others == 0) {
                return true;
            }
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /** Closes the probe's connection. */
    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
