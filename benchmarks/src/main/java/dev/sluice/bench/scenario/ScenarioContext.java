package dev.sluice.bench.scenario;

import dev.sluice.bench.BenchOptions;
import dev.sluice.bench.Progress;
import dev.sluice.testkit.NatsServer;
import dev.sluice.testkit.PostgresServer;
import dev.sluice.testkit.SluiceServers;
import dev.sluice.testkit.TestDatabase;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * What every scenario shares: the options, the progress printer, where files go, and the servers, started on first
 * use by the testkit (the user's own through {@code SLUICE_PG_URL} / {@code SLUICE_NATS_URL}, else embedded). The
 * benchmark database is created once per run and dropped by {@link #close()}.
 */
public final class ScenarioContext implements AutoCloseable {

    private static final int VERSION_ATTEMPTS = 5;
    private static final int PRIMING_CONNECTIONS = 8;

    private final BenchOptions options;
    private final Progress progress;
    private final Map<String, String> env;
    private PostgresServer postgres;
    private TestDatabase database;
    private NatsServer nats;
    private String natsVersion;
    private boolean primed;

    /**
     * @param options  the command line
     * @param progress where progress goes
     * @param env      the environment (for {@code SLUICE_PGBENCH} and the PATH)
     */
    public ScenarioContext(BenchOptions options, Progress progress, Map<String, String> env) {
        this.options = options;
        this.progress = progress;
        this.env = Map.copyOf(env);
    }

    /** The command line. */
    public BenchOptions options() {
        return options;
    }

    /** Where progress goes. */
    public Progress progress() {
        return progress;
    }

    /** The environment. */
    public Map<String, String> env() {
        return env;
    }

    /** Where this run's files go. */
    public Path output() {
        return options.output();
    }

    /** The benchmark database, created on first call (and the server started, when it is embedded). */
    public synchronized TestDatabase database() {
        if (database == null) {
            progress.line("starting PostgreSQL (SLUICE_PG_URL, else embedded) ...");
            postgres = SluiceServers.postgres();
            database = postgres.createDatabase("bench");
            progress.line("PostgreSQL " + postgres.version() + ": " + postgres + ", database " + database.database());
            primeSharedClients();
        }
        return database;
    }

    /** The NATS server, started on first call when it is embedded. */
    public synchronized NatsServer nats() {
        if (nats == null) {
            progress.line("starting NATS with JetStream (SLUICE_NATS_URL, else embedded) ...");
            nats = SluiceServers.nats();
            natsVersion = readNatsVersion(nats.url());
            progress.line("nats-server " + natsVersion + ": " + nats);
        }
        return nats;
    }

    /** PostgreSQL's version, or a sentence saying this run did not use it. */
    public synchronized String postgresVersion() {
        return postgres == null ? "not used in this run" : postgres.version();
    }

    /** nats-server's version, or a sentence saying this run did not use it. */
    public synchronized String natsVersion() {
        return nats == null ? "not used in this run" : natsVersion;
    }

    /**
     * Starts the threads that Reactor Netty and Reactor share between every R2DBC client of the JVM (event loops,
     * the parallel scheduler) and lets the JIT compile the code they share (Netty, r2dbc-postgresql, Reactor): eight
     * plain driver connections run {@code SELECT 1} for {@link BenchOptions#firstWarmup()}. Without it the first
     * system measured would pay for both, and its peers would not.
     */
    private void primeSharedClients() {
        if (primed) {
            return;
        }
        progress.line("priming the shared R2DBC client stack for " + Progress.duration(options.firstWarmup()) + " ...");
        PostgresqlConnectionConfiguration.Builder config = PostgresqlConnectionConfiguration.builder()
                .host(database.host()).port(database.port()).database(database.database()).username(database.user())
                .applicationName("bench-prime");
        if (!database.password().isEmpty()) {
            config.password(database.password());
        }
        PostgresqlConnectionFactory factory = new PostgresqlConnectionFactory(config.build());
        long deadline = System.nanoTime() + options.firstWarmup().toNanos();
        Flux.range(0, PRIMING_CONNECTIONS)
                .flatMap(i -> Mono.usingWhen(factory.create(),
                        c -> Flux.defer(() -> Flux.from(c.createStatement("SELECT 1").execute())
                                        .concatMap(result -> result.map((row, metadata) -> row.get(0, Integer.class))))
                                .repeat(() -> System.nanoTime() < deadline)
                                .then(),
                        c -> c.close()))
                .then()
                .block(options.firstWarmup().plusSeconds(30));
        for (int i = 0; i < Schedulers.DEFAULT_POOL_SIZE; i++) {
            Schedulers.parallel().schedule(() -> { });
        }
        primed = true;
    }

    /** The server's version as it reports it on connect; a few attempts, since a busy machine may be slow to answer. */
    private static String readNatsVersion(String url) {
        Exception last = null;
        for (int attempt = 0; attempt < VERSION_ATTEMPTS; attempt++) {
            try {
                Connection c = Nats.connect(new Options.Builder().servers(url.split(",")).connectionName("bench-probe")
                        .connectionTimeout(Duration.ofSeconds(5)).build());
                try {
                    return c.getServerInfo().getVersion();
                } finally {
                    c.close();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "unknown (interrupted)";
            } catch (Exception e) {
                last = e;
            }
        }
        return "unknown (" + last.getMessage() + ")";
    }

    /** Drops the benchmark database (the embedded servers themselves stop when the JVM exits). */
    @Override
    public synchronized void close() {
        if (database != null) {
            try {
                postgres.dropDatabase(database);
            } catch (RuntimeException e) {
                progress.line("could not drop the benchmark database " + database.database() + ": " + e.getMessage());
            }
        }
    }
}
