package dev.sluice.bench.system;

import dev.sluice.bench.Progress;
import dev.sluice.bench.load.LoadPlan;
import dev.sluice.bench.load.LoadSystem;
import dev.sluice.bench.load.Measurement;
import dev.sluice.testkit.TestDatabase;
import org.HdrHistogram.Histogram;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * pgbench as a child process: {@code pgbench -M prepared -c <pool size> -j 2 -f <SELECT 1 script> -T <seconds>}, the
 * limit of round trips this machine can do with that many connections and no pool at all. pgbench has one client
 * per connection, so the scenario's callers do not apply to it. Latencies come from its per-transaction log
 * ({@code -l}); its own tps figure is kept in the details.
 */
public final class PgbenchSystem implements LoadSystem {

    /** Threads pgbench runs ({@code -j}), at most the number of clients. */
    public static final int THREADS = 2;
    private static final Duration EXTRA_WAIT = Duration.ofSeconds(60);

    private final PgPoolSettings settings;
    private final Optional<Path> pgbench;
    private final String unavailable;
    private final Path workDirectory;

    /**
     * @param settings      the pool settings (its size is pgbench's number of clients)
     * @param pgbench       the pgbench executable, when one was found
     * @param unavailable   why there is none, when there is none
     * @param workDirectory where the script and logs go
     */
    public PgbenchSystem(PgPoolSettings settings, Optional<Path> pgbench, String unavailable, Path workDirectory) {
        this.settings = settings;
        this.pgbench = pgbench;
        this.unavailable = unavailable;
        this.workDirectory = workDirectory;
    }

    /**
     * Finds pgbench: {@code SLUICE_PGBENCH}, then {@code PATH}, then Debian's {@code /usr/lib/postgresql/<version>/bin}
     * (the newest version). Any pgbench of version 10 or later can run a {@code SELECT 1} script against a newer server.
     *
     * @return the executable, or empty
     */
    public static Optional<Path> locate(Map<String, String> env) {
        String configured = env.get("SLUICE_PGBENCH");
        if (configured != null && !configured.isBlank()) {
            Path p = Path.of(configured);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        for (String dir : env.getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isBlank() && Files.isExecutable(Path.of(dir, "pgbench"))) {
                return Optional.of(Path.of(dir, "pgbench"));
            }
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(debian)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(debian)) {
            return versions.map(v -> v.resolve("bin/pgbench")).filter(Files::isExecutable)
                    .max(Comparator.comparingInt(PgbenchSystem::majorVersion));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static int majorVersion(Path pgbench) {
        try {
            return Integer.parseInt(pgbench.getParent().getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public String name() {
        return "pgbench";
    }

    @Override
    public Optional<String> unavailable() {
        return pgbench.isPresent() ? Optional.empty() : Optional.of(unavailable);
    }

    /** pgbench is a child process: no JIT of this JVM to wait for. */
    @Override
    public boolean runsInThisJvm() {
        return false;
    }

    @Override
    public Measurement measure(LoadPlan plan, Progress progress) throws Exception {
        Files.createDirectories(workDirectory);
        Path script = workDirectory.resolve("select1.sql");
        Files.writeString(script, SluicePoolSystem.SQL + ";\n");
        int clients = settings.poolSize();
        int threads = Math.min(THREADS, clients);
        long warmupSeconds = Math.max(1, ceilSeconds(plan.warmup()));
        progress.phase(name(), "warm-up " + warmupSeconds + " s, " + clients + " clients");
        run(script, clients, threads, warmupSeconds, null);
        Path logs = Files.createTempDirectory(workDirectory, "log-");
        long seconds = Math.max(1, ceilSeconds(plan.duration()));
        progress.phase(name(), "measuring " + seconds + " s (pgbench -M prepared -c " + clients + " -j " + threads + ")");
        String output = run(script, clients, threads, seconds, logs.resolve("pgbench_log"));
        Histogram latency = new Histogram(TimeUnit.MINUTES.toNanos(2), 3);
        List<Path> logFiles;
        try (Stream<Path> files = Files.list(logs)) {
            logFiles = files.toList();
        }
        for (Path log : logFiles) {
            PgbenchOutput.readLog(log, latency);
            Files.delete(log);
        }
        Files.delete(logs);
        Map<String, Object> extra = new LinkedHashMap<>();
        PgbenchOutput.tps(output).ifPresent(tps -> extra.put("pgbenchTps", tps));
        extra.put("pgbenchTransactions", PgbenchOutput.processed(output));
        extra.put("command", "pgbench -n -M prepared -c " + clients + " -j " + threads + " -T " + seconds + " -f select1.sql");
        extra.put("note", "separate process: peakThreads are pgbench's own threads, no JVM heap");
        progress.running(name(), Duration.ofSeconds(seconds), Duration.ofSeconds(seconds), latency.getTotalCount());
        return Measurement.window(latency, Map.of(), PgbenchOutput.failed(output), 0, seconds, threads, null, List.of(), extra)
                .withThreadsBefore(0);
    }

    private String run(Path script, int clients, int threads, long seconds, Path logPrefix) throws IOException, InterruptedException {
        TestDatabase db = settings.database();
        List<String> command = new ArrayList<>(List.of(pgbench.orElseThrow().toString(), "-n", "-M", "prepared",
                "-c", Integer.toString(clients), "-j", Integer.toString(threads), "-T", Long.toString(seconds),
                "-f", script.toString(), "-h", db.host(), "-p", Integer.toString(db.port()), "-U", db.user()));
        if (logPrefix != null) {
            command.add("-l");
            command.add("--log-prefix=" + logPrefix);
        }
        command.add(db.database());
        Path outputFile = workDirectory.resolve("pgbench.out");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(outputFile.toFile());
        builder.environment().put("PGAPPNAME", "bench-pgbench");
        builder.environment().put("PGCONNECT_TIMEOUT", Long.toString(PgPoolSettings.CONNECT_TIMEOUT.toSeconds()));
        builder.environment().put("PGSSLMODE", "prefer");
        builder.environment().put("PGOPTIONS", "-c idle_in_transaction_session_timeout="
                + PgPoolSettings.IDLE_IN_TRANSACTION_TIMEOUT.toMillis());
        if (!db.password().isEmpty()) {
            builder.environment().put("PGPASSWORD", db.password());
        }
        Process process = builder.start();
        try {
            if (!process.waitFor(seconds + EXTRA_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IOException("pgbench did not finish within " + (seconds + EXTRA_WAIT.toSeconds()) + " s");
            }
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
        String output = Files.readString(outputFile, StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IOException("pgbench exited with " + process.exitValue() + ": " + output.strip());
        }
        return output;
    }

    private static long ceilSeconds(Duration d) {
        return (d.toMillis() + 999) / 1000;
    }
}
