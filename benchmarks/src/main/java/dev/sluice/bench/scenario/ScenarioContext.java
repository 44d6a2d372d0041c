package dev.sluice.bench.scenario;

import dev.sluice.bench.BenchOptions;
import dev.sluice.bench.Progress;
import dev.sluice.bench.system.PgPoolSettings;
import dev.sluice.pool.PgPool;
import dev.sluice.testkit.NatsServer;
import dev.sluice.testkit.PostgresServer;
import dev.sluice.testkit.SluiceServers;
import dev.sluice.testkit.TestDatabase;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Connection;
import reactor.core.publisher.Flux;
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
    private static final int PRIMING_CALLERS = 64;
    private static final Duration PRIMING_ACQUIRE_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

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
     * Starts the threads every R2DBC client of the JVM shares (Reactor Netty's event loops, Reactor's parallel and
     * single schedulers) and lets the JIT compile the code the reactive pools share (Netty, r2dbc-postgresql, Reactor,
     * r2dbc-pool, reactor-pool) along the paths both of them take: for {@link BenchOptions#priming()},
     * {@value #PRIMING_CALLERS} callers run {@code SELECT 1} through a raw r2dbc-pool and as many through a Sluice pool
     * on r2dbc-pool, {@value #PRIMING_CONNECTIONS} connections each, at the same time. Without it the system measured
     * first would pay for the threads and the compilation its peers then reuse; priming one stack only would leave
     * the other to recompile the shared code for its own paths while it is measured.
     */
    private void primeSharedClients() {
        if (primed) {
            return;
        }
        progress.line("priming the shared R2DBC client stack (driver, r2dbc-pool, Sluice's pool) for "
                + Progress.duration(options.priming()) + " ...");
        PgPoolSettings settings = new PgPoolSettings(database, PRIMING_CONNECTIONS, PRIMING_ACQUIRE_TIMEOUT);
        ConnectionPool raw = new ConnectionPool(settings.r2dbcPool());
        PgPool sluice = PgPool.create(settings.sluice("prime"));
        try {
            long deadline = System.nanoTime() + options.priming().toNanos();
            Flux<Integer> rawCalls = Flux.defer(() -> Flux.usingWhen(raw.create(), ScenarioContext::selectOne, Connection::close));
            Flux<Integer> sluiceCalls = Flux.defer(() -> sluice.query("SELECT 1", row -> row.get(0, Integer.class)));
            Flux.range(0, 2 * PRIMING_CALLERS)
                    .flatMap(i -> (i % 2 == 0 ? rawCalls : sluiceCalls).repeat(() -> System.nanoTime() < deadline).then(),
                            2 * PRIMING_CALLERS)
                    .then()
                    .block(options.priming().plusSeconds(30));
        } finally {
            raw.disposeLater().block(CLOSE_WAIT);
            sluice.stop().block(CLOSE_WAIT);
        }
        for (int i = 0; i < Schedulers.DEFAULT_POOL_SIZE; i++) {
            Schedulers.parallel().schedule(() -> { });
        }
        primed = true;
    }

    private static Flux<Integer> selectOne(Connection connection) {
        return Flux.from(connection.createStatement("SELECT 1").execute())
                .concatMap(result -> result.map((row, metadata) -> row.get(0, Integer.class)));
    }

    /** The server's version as it reports it on connect; a few attempts, since a busy machine may be slow to answer. */
    private static String readNatsVersion(String url) {
        Exception last = null;
        for (int attempt = 0; attempt < VERSION_ATTEMPTS; attempt++) {
            try {
                io.nats.client.Connection c = Nats.connect(new Options.Builder().servers(url.split(",")).connectionName("bench-probe")
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
