package dev.sluice.testkit;

import dev.sluice.testkit.internal.FreePorts;
import dev.sluice.testkit.internal.OrphanGuard;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A {@code nats-server -js} child process on a loopback port, with its JetStream store in a temporary
 * directory. It can be stopped, killed and started again on the same port and store (for restart and
 * fault tests), and it never outlives the JVM: {@link #close()} stops it and removes its files, and a
 * watchdog does the same if the JVM is killed.
 *
 * <p>Blocking API, meant for test set-up.
 */
public final class EmbeddedNats implements AutoCloseable {

    private final Path binary;
    private final Path workDirectory;
    private final int port;
    private final String serverName;
    private final String clusterName;
    private final int clusterPort;
    private final List<String> routes;
    private final int monitorPort;
    private final String configText;
    private final boolean detached;
    private Process process;
    private OrphanGuard guard;
    private boolean closed;

    private EmbeddedNats(Builder builder) throws IOException {
        this.binary = locateBinary(System.getenv());
        this.detached = builder.workDirectory != null;
        this.workDirectory = detached ? Files.createDirectories(builder.workDirectory) : Files.createTempDirectory("sluice-nats-");
        this.port = builder.port > 0 ? builder.port : FreePorts.next();
        this.serverName = builder.serverName != null ? builder.serverName : "sluice-" + port;
        this.clusterName = builder.clusterName;
        this.clusterPort = builder.clusterName != null ? (builder.clusterPort > 0 ? builder.clusterPort : FreePorts.next()) : 0;
        this.routes = List.copyOf(builder.routes);
        this.monitorPort = builder.monitorPort;
        this.configText = builder.configText;
    }

    /** A builder for a single server; set a cluster name, cluster port and routes to join a cluster. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts a single server with JetStream on a free loopback port. */
    public static EmbeddedNats start() {
        return builder().start();
    }

    /**
     * Where {@code nats-server} is: {@code SLUICE_NATS_SERVER} when set, else the first match on {@code PATH},
     * {@code /usr/sbin} or {@code /usr/local/bin}.
     *
     * @throws IllegalStateException saying what to install when it is nowhere
     */
    public static Path locateBinary(Map<String, String> env) {
        return locateBinary(env, List.of("/usr/sbin", "/usr/local/bin", "/usr/bin"));
    }

    static Path locateBinary(Map<String, String> env, List<String> fallbackDirectories) {
        String explicit = env.get("SLUICE_NATS_SERVER");
        if (explicit != null && !explicit.isBlank()) {
            Path path = Path.of(explicit);
            if (!Files.isExecutable(path)) {
                throw new IllegalStateException("SLUICE_NATS_SERVER=" + explicit + " is not an executable file; "
                        + "point it at the nats-server binary or unset it");
            }
            return path;
        }
        List<String> dirs = new ArrayList<>(List.of(Objects.requireNonNullElse(env.get("PATH"), "").split(File.pathSeparator)));
        dirs.addAll(fallbackDirectories);
        for (String dir : dirs) {
            if (dir.isBlank()) {
                continue;
            }
            Path candidate = Path.of(dir, "nats-server");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("nats-server was not found on PATH. Install it (Debian/Ubuntu: "
                + "`sudo apt-get install nats-server`, or run `./run test`, which installs it), point "
                + "SLUICE_NATS_SERVER at the binary, or set SLUICE_NATS_URL=nats://host:port to test against your own server");
    }

    /** The client URL, {@code nats://127.0.0.1:port}. */
    public String url() {
        return "nats://127.0.0.1:" + port;
    }

    /** The client port. */
    public int port() {
        return port;
    }

    /** The cluster (route) port, or 0 when this server is not part of a cluster. */
    public int clusterPort() {
        return clusterPort;
    }

    /** The HTTP monitoring port, or 0 when monitoring was not asked for ({@link Builder#monitorPort(int)}). */
    public int monitorPort() {
        return monitorPort;
    }

    /**
     * The monitoring base URL, {@code http://127.0.0.1:port}, serving {@code /healthz}, {@code /varz}, {@code /jsz}.
     *
     * @throws IllegalStateException when monitoring was not asked for
     */
    public String monitorUrl() {
        if (monitorPort == 0) {
            throw new IllegalStateException(serverName + " has no monitoring port; set one with EmbeddedNats.builder().monitorPort(port)");
        }
        return "http://127.0.0.1:" + monitorPort;
    }

    /**
     * Whether the server answers {@code GET /healthz} with 200. For a JetStream cluster member this means
     * nats-server's own readiness verdict: it is in contact with, and current with, the JetStream meta
     * leader, and every stream and consumer replica placed on it is current. Blocking, at most about 1 s.
     *
     * @return false when the server is unhealthy, not running or not answering
     * @throws IllegalStateException when monitoring was not asked for
     */
    public boolean isHealthy() {
        return NatsHealth.probe(monitorUrl()).healthy();
    }

    /** The server name ({@code -n}), unique within a cluster. */
    public String serverName() {
        return serverName;
    }

    /** The JetStream store directory. */
    public Path storeDirectory() {
        return workDirectory.resolve("store");
    }

    /** This server as a {@link NatsServer} handed to tests. */
    public NatsServer server() {
        return new NatsServer(ServerSource.EMBEDDED, url());
    }

    /** Whether the process is alive. */
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The process id, while running. */
    public synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException(serverName + " is not running");
        }
        return process.pid();
    }

    /**
     * Starts the process (again) on the same port and store, and waits until it accepts clients.
     *
     * @throws IllegalStateException with the end of the server's log when it does not come up within 30 s
     */
    public synchronized EmbeddedNats startProcess() {
        if (closed) {
            throw new IllegalStateException(serverName + " is closed");
        }
        if (isRunning()) {
            return this;
        }
        List<String> command = new ArrayList<>();
        if (detached && Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            command.add("/usr/bin/setsid");
        }
        command.addAll(List.of(binary.toString(), "-js", "-a", "127.0.0.1", "-p", String.valueOf(port),
                "-sd", storeDirectory().toString(), "-n", serverName));
        if (clusterName != null) {
            command.addAll(List.of("--cluster_name", clusterName, "--cluster", "nats://127.0.0.1:" + clusterPort));
            if (!routes.isEmpty()) {
                command.addAll(List.of("--routes", String.join(",", routes)));
            }
        }
        if (monitorPort > 0) {
            command.addAll(List.of("-m", String.valueOf(monitorPort)));
        }
        if (configText != null) {
            Path configFile = workDirectory.resolve("nats-server.conf");
            try {
                Files.writeString(configFile, configText);
            } catch (IOException e) {
                throw new UncheckedIOException("could not write " + configFile + ": " + e.getMessage(), e);
            }
            command.addAll(List.of("-c", configFile.toString()));
        }
        int logOffset = log().length();
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + binary + ": " + e.getMessage(), e);
        }
        if (!detached) {
            guard = OrphanGuard.start(OrphanGuard.killAndRemove(process.pid(), workDirectory));
        }
        awaitReady(Duration.ofSeconds(30), logOffset);
        return this;
    }

    /** Stops the process gracefully (SIGTERM, then SIGKILL after 10 s); the store is kept for a restart. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
        closeGuard();
    }

    /** Kills the process at once (SIGKILL), as a crash would; the store is kept for a restart. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
        closeGuard();
    }

    /** The server's combined output so far (useful in assertion messages). */
    public String log() {
        try {
            return Files.exists(logFile()) ? Files.readString(logFile(), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** Stops the process and removes its store and log. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        stop();
        closed = true;
        if (!detached) {
            deleteRecursively(workDirectory);
        }
    }

    private Path logFile() {
        return workDirectory.resolve("nats-server.log");
    }

    private void closeGuard() {
        if (guard != null) {
            guard.close();
            guard = null;
        }
    }

    private void awaitReady(Duration timeout, int logOffset) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(serverName + " exited with code " + process.exitValue() + ":\n" + tail(log()));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                socket.setSoTimeout(1000);
                InputStream in = socket.getInputStream();
                byte[] info = new byte[4];
                if (in.readNBytes(info, 0, 4) == 4 && "INFO".equals(new String(info, StandardCharsets.US_ASCII))
                        && log().indexOf("Server is ready", logOffset) >= 0) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + serverName, e);
            }
        }
        throw new IllegalStateException(serverName + " did not accept clients within " + timeout.toSeconds() + " s:\n" + tail(log()));
    }

    private static String tail(String log) {
        return log.length() <= 4000 ? log : log.substring(log.length() - 4000);
    }

    static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a file still held by a dying process
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** Options for one server process. */
    public static final class Builder {
        private int port;
        private String serverName;
        private String clusterName;
        private int clusterPort;
        private final List<String> routes = new ArrayList<>();
        private int monitorPort;
        private Path workDirectory;
        private String configText;

        private Builder() {
        }

        /**
         * Keeps the store and log in {@code directory} and lets the process outlive this JVM (no watchdog, no
         * clean-up on close): for long-lived local servers such as {@code ./run services up}.
         */
        public Builder detachedIn(Path directory) {
            this.workDirectory = directory;
            return this;
        }

        /** The client port; a free loopback port when not set. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** The server name ({@code -n}); required to be unique in a JetStream cluster. */
        public Builder serverName(String serverName) {
            this.serverName = serverName;
            return this;
        }

        /** Joins a cluster with this name, listening for routes on {@code clusterPort} (free port when 0). */
        public Builder cluster(String clusterName, int clusterPort) {
            this.clusterName = clusterName;
            this.clusterPort = clusterPort;
            return this;
        }

        /** Route URLs of the other cluster members, {@code nats://127.0.0.1:port}. */
        public Builder routes(List<String> routes) {
            this.routes.clear();
            this.routes.addAll(routes);
            return this;
        }

        /**
         * Serves nats-server's HTTP monitoring endpoints ({@code -m}) on this loopback port, which enables
         * {@link EmbeddedNats#isHealthy()}. Off by default.
         *
         * @throws IllegalArgumentException when {@code port} is not a TCP port number
         */
        public Builder monitorPort(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("monitorPort must be 1..65535, was " + port);
            }
            this.monitorPort = port;
            return this;
        }

        /**
         * Starts the server with this configuration file text ({@code -c}), for settings that have no flag, such as
         * {@code authorization { user: app, password: s3cret }}, {@code authorization { token: t0k3n }} or
         * {@code authorization { users = [ { nkey: UA... } ] }}. The command-line flags (port, store, name,
         * cluster) still apply on top of it. The readiness wait does not log in, so it works with any authorization.
         */
        public Builder config(String configText) {
            this.configText = java.util.Objects.requireNonNull(configText, "configText");
            return this;
        }

        /** Creates the server without starting its process. */
        public EmbeddedNats build() {
            try {
                return new EmbeddedNats(this);
            } catch (IOException e) {
                throw new UncheckedIOException("could not create a temporary directory for nats-server: " + e.getMessage(), e);
            }
        }

        /** Creates and starts the server. */
        public EmbeddedNats start() {
            return build().startProcess();
        }
    }
}
