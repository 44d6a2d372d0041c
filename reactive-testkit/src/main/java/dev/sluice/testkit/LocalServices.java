package dev.sluice.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Starts long-lived local servers for manual work ({@code ./run services up}): embedded PostgreSQL and
 * {@code nats-server -js} on loopback, with data under a directory, left running after this program ends.
 * It writes {@code services.env} there ({@code SLUICE_PG_URL}, {@code SLUICE_NATS_URL} and the pids), which
 * {@code ./run services status|down} read.
 *
 * <p>Usage: {@code LocalServices <directory> <pg-port> <nats-port>}.
 */
public final class LocalServices {

    private LocalServices() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: LocalServices <directory> <pg-port> <nats-port>");
            System.exit(2);
        }
        Path dir = Files.createDirectories(Path.of(args[0]).toAbsolutePath());
        int pgPort = Integer.parseInt(args[1]);
        int natsPort = Integer.parseInt(args[2]);

        EmbeddedPostgresServer pg = EmbeddedPostgresServer.builder()
                .dataDirectory(dir.resolve("pg-data"))
                .port(pgPort)
                .detached(dir.resolve("postgres.log"))
                .start();
        EmbeddedNats nats = EmbeddedNats.builder()
                .port(natsPort)
                .serverName("sluice-local")
                .detachedIn(dir.resolve("nats"))
                .start();

        String env = "SLUICE_PG_URL=" + pg.server().adminDatabase().postgresUrl() + "\n"
                + "SLUICE_NATS_URL=" + nats.url() + "\n"
                + "SLUICE_PG_PID=" + pg.pid() + "\n"
                + "SLUICE_NATS_PID=" + nats.pid() + "\n";
        Files.writeString(dir.resolve("services.env"), env);
        System.out.print(env);
        System.exit(0);
    }
}
