package dev.sluice.testkit;

import java.util.Objects;

/**
 * Connection details of one PostgreSQL database handed to a test.
 *
 * <p>{@link #toString()} never shows the password.
 *
 * @param host     host name or address, loopback for embedded servers
 * @param port     TCP port
 * @param database database name
 * @param user     user that owns the database
 * @param password that user's password (may be empty for trust authentication)
 */
public record TestDatabase(String host, int port, String database, String user, String password) {

    public TestDatabase {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(user, "user");
        password = password == null ? "" : password;
    }

    /**
     * The same database, user and password reached at another address: a streaming replica of the server,
     * or a {@link FaultProxy} placed in front of it.
     *
     * @throws NullPointerException when {@code host} is null
     */
    public TestDatabase at(String host, int port) {
        return new TestDatabase(host, port, database, user, password);
    }

    /** {@code r2dbc:postgresql://user@host:port/database}: the password is passed separately, never in the URL. */
    public String r2dbcUrl() {
        return "r2dbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /** {@code jdbc:postgresql://host:port/database}, for JDBC peers and administration. */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /**
     * The libpq URL with credentials ({@code postgresql://user:password@host:port/database}), the form of
     * {@code DATABASE_URL} and {@code SLUICE_PG_URL}. It contains the password: do not log it.
     */
    public String postgresUrl() {
        return "postgresql://" + UrlCodec.encode(user) + (password.isEmpty() ? "" : ":" + UrlCodec.encode(password))
                + "@" + host + ":" + port + "/" + database;
    }

    @Override
    public String toString() {
        return "TestDatabase[" + user + "@" + host + ":" + port + "/" + database + "]";
    }
}
