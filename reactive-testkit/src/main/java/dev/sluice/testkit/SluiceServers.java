package dev.sluice.testkit;

import dev.sluice.testkit.internal.Containers;
import dev.sluice.testkit.internal.DockerProbe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;

/**
 * The servers shared by the tests of one JVM, and the rule that picks them.
 *
 * <p>For PostgreSQL and for NATS separately, the first that works is used:
 * <ol>
 *   <li>{@code SLUICE_PG_URL} ({@code postgresql://user:password@host:port/database}) or {@code SLUICE_NATS_URL}
 *       ({@code nats://host:port}): the user's own server; nothing is started;</li>
 *   <li>Testcontainers, when {@link DockerProbe} finds a Docker engine (a probe that costs at most a few
 *       hundred milliseconds when there is none);</li>
 *   <li>embedded: {@link EmbeddedPostgresServer} and {@link EmbeddedNats}.</li>
 * </ol>
 * Shared servers start on first use and stop when the JVM exits. Tests isolate themselves with their own
 * database ({@link PostgresServer#createDatabase(String)}) and bucket names ({@link NatsServer#uniqueName(String)}).
 * Tests that stop, restart or reconfigure a server build a dedicated one with {@link EmbeddedPostgresServer#builder()}
 * or {@link EmbeddedNats#builder()} instead; tests that need several servers build a {@link PostgresReplicaSet} (a
 * primary with streaming replicas) or a {@link NatsCluster} (JetStream on several nodes), and tests of network
 * faults put a {@link FaultProxy} between the client and the server.
 */
public final class SluiceServers {

    private static final Logger LOG = LoggerFactory.getLogger(SluiceServers.class);

    private static PostgresServer postgres;
    private static NatsServer nats;
    private static DockerProbe.Result docker;

    private SluiceServers() {
    }

    /** The shared PostgreSQL server, started on first call. Blocking. */
    public static synchronized PostgresServer postgres() {
        if (postgres == null) {
            postgres = choosePostgres(System.getenv());
            LOG.info("PostgreSQL for tests: {} (version {})", postgres, postgres.version());
        }
        return postgres;
    }

    /** The shared NATS server with JetStream, started on first call. Blocking. */
    public static synchronized NatsServer nats() {
        if (nats == null) {
            nats = chooseNats(System.getenv());
            LOG.info("NATS for tests: {}", nats);
        }
        return nats;
    }

    /**
     * Picks and, when needed, starts a PostgreSQL server according to {@code env}. Each call may start a
     * new server; prefer {@link #postgres()}.
     *
     * @throws IllegalArgumentException when {@code SLUICE_PG_URL} is set but malformed
     */
    public static PostgresServer choosePostgres(Map<String, String> env) {
        String url = env.get("SLUICE_PG_URL");
        if (url != null && !url.isBlank()) {
            return new PostgresServer(ServerSource.EXTERNAL, parsePostgresUrl(url));
        }
        if (docker().reachable()) {
            return Containers.startPostgres();
        }
        EmbeddedPostgresServer server = EmbeddedPostgresServer.builder().start();
        closeOnExit(server);
        return server.server();
    }

    /**
     * Picks and, when needed, starts a NATS server according to {@code env}. Each call may start a new
     * server; prefer {@link #nats()}.
     *
     * @throws IllegalArgumentException when {@code SLUICE_NATS_URL} is set but malformed
     */
    public static NatsServer chooseNats(Map<String, String> env) {
        String url = env.get("SLUICE_NATS_URL");
        if (url != null && !url.isBlank()) {
            return new NatsServer(ServerSource.EXTERNAL, validateNatsUrl(url));
        }
        if (docker().reachable()) {
            return Containers.startNats();
        }
        EmbeddedNats server = EmbeddedNats.start();
        closeOnExit(server);
        return server.server();
    }

    /**
     * Parses {@code postgresql://user:password@host:port/database} (or {@code postgres://}).
     *
     * @throws IllegalArgumentException naming {@code SLUICE_PG_URL} and the expected form; the message never
     *                                  contains the password
     */
    public static TestDatabase parsePostgresUrl(String url) {
        String expected = "expected postgresql://user:password@host:port/database";
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("SLUICE_PG_URL is malformed (" + e.getReason() + "); " + expected);
        }
        if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
            throw new IllegalArgumentException("SLUICE_PG_URL has scheme '" + uri.getScheme() + "'; " + expected);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("SLUICE_PG_URL has no host; " + expected);
        }
        String userInfo = uri.getRawUserInfo();
        if (userInfo == null || userInfo.isEmpty()) {
            throw new IllegalArgumentException("SLUICE_PG_URL has no user; " + expected);
        }
        int colon = userInfo.indexOf(':');
        String user = UrlCodec.decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
        String password = colon < 0 ? "" : UrlCodec.decode(userInfo.substring(colon + 1));
        String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        String database = path.isEmpty() ? "postgres" : path;
        return new TestDatabase(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), database, user, password);
    }

    private static String validateNatsUrl(String url) {
        String first = url.split(",")[0].trim();
        try {
            URI uri = new URI(first);
            if (!"nats".equals(uri.getScheme()) && !"tls".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException("SLUICE_NATS_URL must look like nats://host:port (got scheme '"
                        + uri.getScheme() + "')");
            }
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("SLUICE_NATS_URL is malformed (" + e.getReason() + "); expected nats://host:port");
        }
        return url.trim();
    }

    private static synchronized DockerProbe.Result docker() {
        if (docker == null) {
            long start = System.nanoTime();
            docker = DockerProbe.probe();
            LOG.info("Docker engine {} (probed in {} ms){}", docker.reachable() ? "found at " + docker.endpoint() : "not reachable",
                    (System.nanoTime() - start) / 1_000_000, docker.reachable() ? "" : ": " + docker.reasons() + "; using embedded servers");
        }
        return docker;
    }

    private static void closeOnExit(AutoCloseable server) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                LOG.warn("could not stop {}: {}", server, e.toString());
            }
        }, "sluice-testkit-shutdown"));
    }
}
