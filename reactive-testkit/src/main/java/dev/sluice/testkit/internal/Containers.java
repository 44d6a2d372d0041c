package dev.sluice.testkit.internal;

import dev.sluice.testkit.NatsServer;
import dev.sluice.testkit.PostgresServer;
import dev.sluice.testkit.ServerSource;
import dev.sluice.testkit.TestDatabase;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Servers in containers, used only after {@link DockerProbe} found an engine. Testcontainers' reaper
 * removes them when the JVM ends, however it ends.
 */
public final class Containers {

    /** PostgreSQL image; override with {@code SLUICE_PG_IMAGE}. */
    public static final String PG_IMAGE = envOr("SLUICE_PG_IMAGE", "postgres:18");
    /** NATS image; override with {@code SLUICE_NATS_IMAGE}. */
    public static final String NATS_IMAGE = envOr("SLUICE_NATS_IMAGE", "nats:2.10");

    private Containers() {
    }

    /** Starts PostgreSQL with the server settings the Sluice suites need. */
    public static PostgresServer startPostgres() {
        PostgreSQLContainer container = new PostgreSQLContainer(DockerImageName.parse(PG_IMAGE))
                .withCommand("postgres", "-c", "max_prepared_transactions=64",
                        "-c", "shared_preload_libraries=pg_stat_statements", "-c", "max_connections=200");
        container.start();
        return new PostgresServer(ServerSource.TESTCONTAINERS, new TestDatabase(container.getHost(),
                container.getMappedPort(5432), container.getDatabaseName(), container.getUsername(), container.getPassword()));
    }

    /** Starts {@code nats-server -js}. */
    public static NatsServer startNats() {
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(NATS_IMAGE))
                .withCommand("-js")
                .withExposedPorts(4222)
                .waitingFor(Wait.forLogMessage(".*Server is ready.*", 1));
        container.start();
        return new NatsServer(ServerSource.TESTCONTAINERS,
                "nats://" + container.getHost() + ":" + container.getMappedPort(4222));
    }

    private static String envOr(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
