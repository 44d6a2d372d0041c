package dev.sluice.pool.internal;

import dev.sluice.pool.ErrorClass;
import dev.sluice.pool.PgPoolConfig;
import dev.sluice.pool.SqlErrorClassifier;
import dev.sluice.pool.ValidationMode;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryMetadata;
import io.r2dbc.spi.ValidationDepth;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import java.time.Duration;
import java.util.function.Consumer;
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
                .preparedStatementCacheQueries(config.statementCacheSize())
                .tcpKeepAlive(true)
                .options(options);
        config.password().ifPresent(builder::password);
        DriverTls.apply(config, builder);
        return builder.build();
    }

    private static String millis(Duration d) {
        return Long.toString(Math.max(1, d.toMillis()));
    }

    /**
     * Opens a connection for the pool, riding out a server that cannot be reached for the moment: an attempt
     * that fails with a connection error or runs out of its connect timeout (refused, reset while the server
     * starts, {@code 57P03} starting up, {@code 57P01} terminated) is tried again with a short backoff until
     * the pool's acquire timeout has passed since the first. Nothing of a caller's has reached the server at
     * this point, so trying again is always safe. Other failures (a wrong password, a missing database, a
     * failing after-connect hook) end it at once. When the attempts run out, the error is a
     * {@link ConnectFailure} carrying the last attempt's error and the number of attempts.
     */
    @Override
    public Publisher<? extends Connection> create() {
        return Mono.defer(() -> {
            long deadline = System.nanoTime() + config.acquireTimeout().toNanos();
            int[] attempts = {0};
            return Mono.defer(() -> {
                        attempts[0]++;
                        counters.connectAttempted();
                        return attempt();
                    })
                    .doOnError(counters::connectFailed)
                    .retryWhen(Retry.backoff(Long.MAX_VALUE, FIRST_BACKOFF).maxBackoff(MAX_BACKOFF).jitter(0.5)
                            .filter(error -> ridesOut(error) && System.nanoTime() < deadline)
                            .onRetryExhaustedThrow((spec, signal) -> signal.failure()))
                    .onErrorMap(ServerConnections::ridesOut, error -> new ConnectFailure(attempts[0], error))
                    .doOnNext(c -> counters.connectionCreated());
        });
    }

    private static final Duration FIRST_BACKOFF = Duration.ofMillis(10);
    private static final Duration MAX_BACKOFF = Duration.ofMillis(250);
    private static final String ON_NEXT_DROPPED = "reactor.onNextDropped.local";

    /** Whether a failed attempt to connect is worth another: the server is unreachable or slow for now. */
    static boolean ridesOut(Throwable error) {
        ErrorClass kind = SqlErrorClassifier.classify(error);
        return kind == ErrorClass.CONNECTION || kind == ErrorClass.TIMEOUT;
    }

    /**
     * One attempt: the driver's connect, the after-connect hooks, all within the connect timeout (the driver's
     * own timeout covers only the TCP connect, not the start-up exchange a black-holed server never answers).
     * A connection that arrives after its attempt timed out is closed.
     */
    private Mono<Connection> attempt() {
        Mono<Connection> connection = Mono.from(driver.create()).cast(Connection.class);
        for (Function<Connection, Publisher<Void>> hook : config.afterConnect()) {
            connection = connection.flatMap(c -> Mono.from(hook.apply(c)).then(Mono.just(c))
                    .onErrorResume(e -> Mono.from(c.close()).onErrorResume(ignored -> Mono.empty()).then(Mono.error(e))));
        }
        if (config.validation() == ValidationMode.NONE) {
            connection = connection.map(Unvalidated::new);
        }
        return connection.timeout(config.connectTimeout())
                .contextWrite(context -> context.put(ON_NEXT_DROPPED, (Consumer<Object>) ServerConnections::closeDropped));
    }

    private static void closeDropped(Object dropped) {
        if (dropped instanceof Connection connection) {
            Mono.from(connection.close()).onErrorResume(e -> Mono.empty()).subscribe();
        }
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
