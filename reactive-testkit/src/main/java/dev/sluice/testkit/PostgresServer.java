package dev.sluice.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A running PostgreSQL server a test may use, whatever its {@link ServerSource}.
 *
 * <p>Tests do not share data: each asks for its own database with {@link #createDatabase(String)}.
 * The administrative connection details ({@link #adminDatabase()}) belong to a user allowed to create
 * databases. {@link #toString()} never shows the password.
 */
public final class PostgresServer {

    private static final AtomicInteger DATABASE_COUNTER = new AtomicInteger();

    private final ServerSource source;
    private final TestDatabase admin;

    /**
     * @param source where the server came from
     * @param admin  a database and user with the right to create databases
     */
    public PostgresServer(ServerSource source, TestDatabase admin) {
        this.source = Objects.requireNonNull(source, "source");
        this.admin = Objects.requireNonNull(admin, "admin");
    }

    /** Where this server came from. */
    public ServerSource source() {
        return source;
    }

    /** Host name or address of the server. */
    public String host() {
        return admin.host();
    }

    /** TCP port of the server. */
    public int port() {
        return admin.port();
    }

    /** The administrative database and user (a superuser for embedded and container servers). */
    public TestDatabase adminDatabase() {
        return admin;
    }

    /**
     * Creates a new, empty database owned by the administrative user, with a unique name that starts
     * with {@code sluice_<prefix>}. Blocking; meant for test set-up.
     *
     * @param prefix a short label, usually the test class name; anything but letters and digits is dropped
     * @throws IllegalStateException when the server refuses (the message carries PostgreSQL's reason)
     */
    public TestDatabase createDatabase(String prefix) {
        String label = prefix == null ? "" : prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        if (label.length() > 30) {
            label = label.substring(0, 30);
        }
        String name = "sluice_" + label + "_" + DATABASE_COUNTER.incrementAndGet() + "_"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xFFFFFF));
        execute(admin, "CREATE DATABASE " + name);
        return new TestDatabase(admin.host(), admin.port(), name, admin.user(), admin.password());
    }

    /** Drops a database made by {@link #createDatabase(String)}, closing any session still connected to it. */
    public void dropDatabase(TestDatabase database) {
        if (database.database().equals(admin.database())) {
            throw new IllegalArgumentException("refusing to drop the administrative database " + admin.database());
        }
        execute(admin, "DROP DATABASE IF EXISTS " + database.database() + " WITH (FORCE)");
    }

    /** The server's version string, from {@code SHOW server_version}. */
    public String version() {
        return queryString(admin, "SHOW server_version");
    }

    /**
     * Opens a blocking JDBC connection to a database of this server (for set-up and assertions in tests).
     * The caller closes it.
     */
    public static Connection openJdbc(TestDatabase database) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", database.user());
        if (!database.password().isEmpty()) {
            props.setProperty("password", database.password());
        }
        props.setProperty("ApplicationName", "sluice-testkit");
        props.setProperty("connectTimeout", "10");
        return DriverManager.getConnection(database.jdbcUrl(), props);
    }

    /** Runs one SQL statement on a database over JDBC. Blocking; for test set-up. */
    public static void execute(TestDatabase database, String sql) {
        try (Connection c = openJdbc(database); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + database + " refused `" + sql + "`: " + e.getMessage(), e);
        }
    }

    /** Runs a query returning one text value on a database over JDBC. Blocking; for tests. */
    public static String queryString(TestDatabase database, String sql) {
        try (Connection c = openJdbc(database); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + database + " refused `" + sql + "`: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "PostgresServer[" + source + " " + admin.user() + "@" + admin.host() + ":" + admin.port() + "]";
    }
}
