package dev.sluice.demo;

import dev.sluice.testkit.EmbeddedNats;
import dev.sluice.testkit.EmbeddedPostgresServer;
import dev.sluice.testkit.SluiceServers;
import dev.sluice.testkit.TestDatabase;

import java.util.Map;

/**
 * The servers the demo talks to: those named by {@code SLUICE_PG_URL} / {@code SLUICE_NATS_URL}, or embedded ones
 * started for the demo (PostgreSQL from the testkit's Maven binaries, {@code nats-server -js} as a child process), which
 * {@link #close()} stops and removes.
 */
final class DemoServers implements AutoCloseable {

    private final TestDatabase database;
    private final String natsUrl;
    private final EmbeddedPostgresServer ownPostgres;
    private final EmbeddedNats ownNats;

    private DemoServers(TestDatabase database, String natsUrl, EmbeddedPostgresServer ownPostgres, EmbeddedNats ownNats) {
        this.database = database;
        this.natsUrl = natsUrl;
        this.ownPostgres = ownPostgres;
        this.ownNats = ownNats;
    }

    /** Uses or starts the servers. Blocking; on failure, whatever was started is stopped again. */
    static DemoServers start(Map<String, String> env) {
        EmbeddedPostgresServer postgres = null;
        EmbeddedNats nats = null;
        try {
            String pgUrl = env.get("SLUICE_PG_URL");
            TestDatabase database;
            if (pgUrl != null && !pgUrl.isBlank()) {
                database = SluiceServers.parsePostgresUrl(pgUrl);
            } else {
                postgres = EmbeddedPostgresServer.builder().start();
                database = postgres.server().createDatabase("demo");
            }
            String natsUrl = env.get("SLUICE_NATS_URL");
            if (natsUrl == null || natsUrl.isBlank()) {
                nats = EmbeddedNats.start();
                natsUrl = nats.url();
            }
            return new DemoServers(database, natsUrl, postgres, nats);
        } catch (RuntimeException e) {
            closeQuietly(nats);
            closeQuietly(postgres);
            throw e;
        }
    }

    TestDatabase database() {
        return database;
    }

    String natsUrl() {
        return natsUrl;
    }

    /** Whether the demo started PostgreSQL itself (and may change its database as it likes). */
    boolean ownsPostgres() {
        return ownPostgres != null;
    }

    /** How the servers were found, for the demo's header. */
    String describe() {
        return "PostgreSQL " + (ownPostgres != null ? "embedded" : "from SLUICE_PG_URL") + " on " + database.host() + ":" + database.port()
                + "/" + database.database() + ", NATS " + (ownNats != null ? "embedded" : "from SLUICE_NATS_URL") + " on " + natsUrl;
    }

    /** Stops the servers the demo started; leaves the user's alone. */
    @Override
    public void close() {
        closeQuietly(ownNats);
        closeQuietly(ownPostgres);
    }

    private static void closeQuietly(AutoCloseable server) {
        if (server == null) {
            return;
        }
        try {
            server.close();
        } catch (Exception e) {
            System.err.println("demo: could not stop " + server + ": " + e);
        }
    }
}
