package dev.sluice.pool.internal;

import dev.sluice.pool.PgPoolConfig;
import dev.sluice.pool.ValidationMode;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import io.r2dbc.postgresql.client.SSLMode;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryMetadata;
import io.r2dbc.spi.ValidationDepth;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Opens new server connections for one pool: the r2dbc-postgresql factory configured from a
 * {@link PgPoolConfig} (session settings as startup options, so they apply to every connection before its
 * first statement), followed by the pool's after-connect hooks.
 */
public final class ServerConnections implements ConnectionFactory {

    private final ConnectionFactory driver;
    private final PgPoolConfig config;
    private final PoolCounters counters;

    public ServerConnections(PgPoolConfig config, PoolCounters counters) {
        this(config, counters, new PostgresqlConnectionFactory(driverConfiguration(config)));
    }

    /** Over another factory (which then owns the connection target and session settings). */
    public ServerConnections(PgPoolConfig config, PoolCounters counters, ConnectionFactory driver) {
        this.config = config;
        this.counters = counters;
        this.driver = driver;
    }

    /** The driver configuration: connection target, TLS, and the session settings of every connection. */
    static PostgresqlConnectionConfiguration driverConfiguration(PgPoolConfig config) {
        Map<String, String> options = new LinkedHashMap<>();
        config.statementTimeout().ifPresent(t -> options.put("statement_timeout", millis(t)));
        config.idleInTransactionTimeout().ifPresent(t -> options.put("idle_in_transaction_session_timeout", millis(t)));
        options.putAll(config.serverSettings());
        PostgresqlConnectionConfiguration.Builder builder = PostgresqlConnectionConfiguration.builder()
                .host(config.host())
                .port(config.port())
                .database(config.database())
                .username(config.user())
                .applicationName(config.applicationName())
                .connectTimeout(config.connectTimeout())
                .sslMode(SSLMode.fromValue(config.sslMode().libpqName()))
                .preparedStatementCacheQueries(config.statementCacheSize())
                .tcpKeepAlive(true)
                .options(options);
        config.password().ifPresent(builder::password);
        config.sslRootCert().ifPresent(path -> builder.sslRootCert(path.toString()));
        return builder.build();
    }

    private static String millis(Duration d) {
        return Long.toString(Math.max(1, d.toMillis()));
    }

    @Override
    public Publisher<? extends Connection> create() {
        Mono<Connection> connection = Mono.from(driver.create()).cast(Connection.class);
        for (Function<Connection, Publisher<Void>> hook : config.afterConnect()) {
            connection = connection.flatMap(c -> Mono.from(hook.apply(c)).then(Mono.just(c))
                    .onErrorResume(e -> Mono.from(c.close()).onErrorResume(ignored -> Mono.empty()).then(Mono.error(e))));
        }
        if (config.validation() == ValidationMode.NONE) {
            connection = connection.map(Unvalidated::new);
        }
        return connection.doOnNext(c -> counters.created.increment());
    }

    /** Opens one connection outside the pool (for start-up checks), closed by the caller. */
    public Mono<Connection> createUnpooled() {
        return Mono.from(driver.create()).cast(Connection.class);
    }

    @Override
    public ConnectionFactoryMetadata getMetadata() {
        return driver.getMetadata();
    }

    /** A connection that reports itself valid without looking: {@link ValidationMode#NONE}. */
    private static final class Unvalidated extends DelegatingConnection {
        Unvalidated(Connection delegate) {
            super(delegate);
        }

        @Override
        public Publisher<Boolean> validate(ValidationDepth depth) {
            return Flux.just(true);
        }
    }
}
