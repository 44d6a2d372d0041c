package dev.sluice.bench.system;

import com.zaxxer.hikari.HikariConfig;
import dev.sluice.pool.PgPoolConfig;
import dev.sluice.testkit.TestDatabase;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import io.r2dbc.postgresql.client.SSLMode;
import io.r2dbc.spi.ValidationDepth;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The one set of pool settings every PostgreSQL system of a scenario gets, written out for Sluice, raw r2dbc-pool,
 * HikariCP and pgbench, so "identical settings" is checked in one place: a fixed pool (minimum = maximum), the
 * same acquire and connect timeouts, checkout validation of the same depth, the same session settings and
 * statement cache, and TLS preferred.
 *
 * @param database       where to connect
 * @param poolSize       connections of the pool (its minimum and maximum)
 * @param acquireTimeout longest wait for a connection
 */
public record PgPoolSettings(TestDatabase database, int poolSize, Duration acquireTimeout) {

    /** Longest time to open a connection. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Sluice's default idle-in-transaction timeout, sent to the server as a startup option by every system. */
    public static final Duration IDLE_IN_TRANSACTION_TIMEOUT = Duration.ofSeconds(60);
    /** Sluice's default prepared statement cache per connection. */
    public static final int STATEMENT_CACHE = 256;
    /** Sluice's default validation timeout. */
    public static final Duration VALIDATION_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration IDLE_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration MAX_LIFETIME = Duration.ofMinutes(30);

    public PgPoolSettings {
        Objects.requireNonNull(database, "database");
        if (poolSize < 1) {
            throw new IllegalArgumentException("pool size must be at least 1, got " + poolSize);
        }
        Objects.requireNonNull(acquireTimeout, "acquireTimeout");
    }

    /** Sluice's pool: defaults everywhere else (LOCAL validation, circuit breaker on, no retries, no leak detection). */
    public PgPoolConfig sluice(String poolName) {
        PgPoolConfig.Builder b = PgPoolConfig.builder(poolName)
                .host(database.host()).port(database.port()).database(database.database()).user(database.user())
                .minConnections(poolSize).maxConnections(poolSize)
                .acquireTimeout(acquireTimeout).connectTimeout(CONNECT_TIMEOUT)
                .idleInTransactionTimeout(IDLE_IN_TRANSACTION_TIMEOUT)
                .statementCacheSize(STATEMENT_CACHE)
                .applicationName("bench-sluice");
        if (!database.password().isEmpty()) {
            b.password(database.password());
        }
        return b.build();
    }

    /** Raw r2dbc-pool over r2dbc-postgresql with what Sluice sets on both (see {@code PgPool}'s constructor). */
    public ConnectionPoolConfiguration r2dbcPool() {
        PostgresqlConnectionConfiguration.Builder driver = PostgresqlConnectionConfiguration.builder()
                .host(database.host()).port(database.port()).database(database.database()).username(database.user())
                .applicationName("bench-r2dbc-pool")
                .connectTimeout(CONNECT_TIMEOUT)
                .sslMode(SSLMode.PREFER)
                .preparedStatementCacheQueries(STATEMENT_CACHE)
                .tcpKeepAlive(true)
                .options(Map.of("idle_in_transaction_session_timeout", Long.toString(IDLE_IN_TRANSACTION_TIMEOUT.toMillis())));
        if (!database.password().isEmpty()) {
            driver.password(database.password());
        }
        return ConnectionPoolConfiguration.builder(new PostgresqlConnectionFactory(driver.build()))
                .name("bench-r2dbc-pool")
                .initialSize(poolSize).minIdle(poolSize).maxSize(poolSize)
                .maxAcquireTime(acquireTimeout)
                .maxCreateConnectionTime(CONNECT_TIMEOUT)
                .maxValidationTime(VALIDATION_TIMEOUT)
                .maxIdleTime(IDLE_TIMEOUT)
                .maxLifeTime(MAX_LIFETIME)
                .validationDepth(ValidationDepth.LOCAL)
                .acquireRetry(0)
                .build();
    }

    /** HikariCP over pgjdbc: the same fixed size, timeouts and session settings. */
    public HikariConfig hikari() {
        HikariConfig c = new HikariConfig();
        c.setPoolName("bench-hikaricp");
        c.setJdbcUrl(database.jdbcUrl());
        c.setUsername(database.user());
        if (!database.password().isEmpty()) {
            c.setPassword(database.password());
        }
        c.setMaximumPoolSize(poolSize);
        c.setMinimumIdle(poolSize);
        c.setConnectionTimeout(acquireTimeout.toMillis());
        c.setValidationTimeout(VALIDATION_TIMEOUT.toMillis());
        c.setIdleTimeout(IDLE_TIMEOUT.toMillis());
        c.setMaxLifetime(MAX_LIFETIME.toMillis());
        c.addDataSourceProperty("ApplicationName", "bench-hikaricp");
        c.addDataSourceProperty("connectTimeout", Long.toString(CONNECT_TIMEOUT.toSeconds()));
        c.addDataSourceProperty("sslmode", "prefer");
        c.addDataSourceProperty("tcpKeepAlive", "true");
        c.addDataSourceProperty("preparedStatementCacheQueries", Integer.toString(STATEMENT_CACHE));
        c.addDataSourceProperty("options", "-c idle_in_transaction_session_timeout=" + IDLE_IN_TRANSACTION_TIMEOUT.toMillis());
        return c;
    }
}
