package dev.sluice.bench.scenario;

import com.zaxxer.hikari.HikariDataSource;
import dev.sluice.bench.BenchOptions;
import dev.sluice.bench.Progress;
import dev.sluice.bench.load.BlockingLoad;
import dev.sluice.bench.load.LoadPlan;
import dev.sluice.bench.load.Measurement;
import dev.sluice.bench.load.ReactiveLoad;
import dev.sluice.bench.report.GoalCheck;
import dev.sluice.bench.report.ScenarioResult;
import dev.sluice.bench.report.SystemResult;
import dev.sluice.bench.system.PgPoolSettings;
import dev.sluice.pool.PgPool;
import dev.sluice.testkit.EmbeddedPostgresServer;
import dev.sluice.testkit.PostgresServer;
import dev.sluice.testkit.TestDatabase;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Connection;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Scenario {@code restart}: a closed loop of 64 callers reading an account by primary key, and PostgreSQL
 * restarted with a fast shutdown a third of the way into the window. Sluice (default circuit breaker), raw
 * r2dbc-pool and HikariCP each get the same restart on the same data, one after another. What counts is what the
 * callers felt: failed operations, the longest time without a single success, and throughput before and after.
 *
 * <p>It needs a server it may restart, so it runs on an embedded PostgreSQL of its own even when
 * {@code SLUICE_PG_URL} names one.
 */
public final class ServerRestart implements Scenario {

    /** The scenario's name. */
    public static final String NAME = "restart";
    /** Concurrent callers. */
    public static final int CALLERS = 64;
    /** Connections of the pools. */
    public static final int POOL_SIZE = 8;
    private static final int ACCOUNTS = 10_000;
    private static final String SQL = "SELECT balance FROM account WHERE id = $1";
    private static final String JDBC_SQL = "SELECT balance FROM account WHERE id = ?";
    /** Every pool's acquire timeout: Sluice's default, and HikariCP's connectionTimeout through the same settings. */
    private static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration MIN_WINDOW = Duration.ofSeconds(8);
    private static final Duration BUCKET = Duration.ofMillis(10);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String title() {
        return "Parameterized reads by primary key with 64 callers on a pool of 8 while PostgreSQL restarts (fast shutdown): "
                + "failed operations, the longest gap without a success, throughput before and after.";
    }

    @Override
    public ScenarioResult run(ScenarioContext context) throws Exception {
        BenchOptions options = context.options();
        int callers = options.callersOr(CALLERS);
        int poolSize = options.poolSizeOr(POOL_SIZE);
        Duration window = options.duration().compareTo(MIN_WINDOW) < 0 ? MIN_WINDOW : options.duration();
        Progress progress = context.progress();
        List<SystemResult> results = new ArrayList<>();
        progress.line("restart: starting an embedded PostgreSQL of its own (it will be restarted) ...");
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.builder().start()) {
            TestDatabase db = server.server().adminDatabase();
            PostgresServer.execute(db, "CREATE TABLE account (id int PRIMARY KEY, tenant text NOT NULL, balance bigint NOT NULL)");
            PostgresServer.execute(db, "INSERT INTO account SELECT g, 't' || (g % 10), 1000 FROM generate_series(1, " + ACCOUNTS + ") g");
            PgPoolSettings settings = new PgPoolSettings(db, poolSize, ACQUIRE_TIMEOUT);
            for (Client client : List.of(sluice(settings), r2dbcPool(settings), hikari(settings))) {
                progress.phase(client.name(), "warming up for " + Progress.duration(options.firstWarmup()) + ", then a window of "
                        + Progress.duration(window) + " with a restart");
                try {
                    results.add(measure(client, callers, options.firstWarmup(), window, server, progress));
                } finally {
                    client.close();
                }
            }
        }
        return result(results, callers, poolSize, window, options);
    }

    /**
     * One turn: the client's callers run through the warm-up and the window ({@link ReactiveLoad} or
     * {@link BlockingLoad}), while another thread restarts the server a third of the way into the window.
     */
    private static SystemResult measure(Client client, int callers, Duration warmup, Duration window, EmbeddedPostgresServer server,
                                        Progress progress) throws Exception {
        Timeline timeline = new Timeline(warmup, window);
        long[] restart = new long[2];
        Thread restarter = new Thread(() -> {
            try {
                Thread.sleep(warmup.plus(window.dividedBy(3)).toMillis());
                restart[0] = timeline.elapsedNanos();
                server.stop();
                server.startProcess();
                restart[1] = timeline.elapsedNanos();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "restart-" + client.name());
        restarter.start();
        Measurement measured = client.run(new LoadPlan(callers, warmup, window), timeline, progress);
        restarter.join();
        return timeline.result(measured.toResult(client.name()), restart[0], restart[1]);
    }

    private static ScenarioResult result(List<SystemResult> results, int callers, int poolSize, Duration window, BenchOptions options) {
        List<GoalCheck> goals = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Optional<SystemResult> sluice = results.stream().filter(r -> r.name().equals("sluice")).findFirst();
        long peersBest = results.stream().filter(r -> !r.name().equals("sluice")).mapToLong(SystemResult::errors).min().orElse(Long.MAX_VALUE);
        sluice.ifPresent(s -> {
            goals.add(new GoalCheck("failed operations", "≤ either peer (" + peersBest + ")", Long.toString(s.errors()),
                    s.errors() <= peersBest));
            goals.add(new GoalCheck("failed operations", "only statements in flight (≤ pool size " + poolSize + ")",
                    Long.toString(s.errors()), s.errors() <= poolSize));
        });
        for (SystemResult r : results) {
            notes.add(String.format(Locale.ROOT, "%s: %,d failed, longest gap without a success %,d ms (restart took %,d ms), "
                            + "%,.0f ops/s before and %,.0f after; errors: %s", r.name(), r.errors(),
                    ((Number) r.details().get("longestGapMs")).longValue(), ((Number) r.details().get("restartMs")).longValue(),
                    ((Number) r.details().get("opsPerSecBefore")).doubleValue(), ((Number) r.details().get("opsPerSecAfter")).doubleValue(),
                    r.details().get("errorSamples")));
        }
        Map<String, Object> shown = new LinkedHashMap<>();
        shown.put("callers", callers);
        shown.put("pool size", poolSize);
        shown.put("acquire timeout", Progress.duration(ACQUIRE_TIMEOUT));
        shown.put("warm-up", Progress.duration(options.firstWarmup()) + " per system (each runs its own code once here)");
        shown.put("window", Progress.duration(window) + ", restart after a third");
        return new ScenarioResult(NAME, "Parameterized reads through a PostgreSQL restart", shown, results, Map.of(), goals, List.of(), notes);
    }

    /** One system: it opens its pool when made, runs the plan's callers through a turn, and closes. */
    private interface Client extends AutoCloseable {
        String name();

        /** Runs the callers, each success also counted in {@code timeline}. Blocking. */
        Measurement run(LoadPlan plan, Timeline timeline, Progress progress) throws Exception;

        @Override
        void close();
    }

    /** Closed-loop reactive callers ({@link ReactiveLoad}). */
    private record ReactiveClient(String name, Supplier<Mono<?>> read, Runnable closer) implements Client {
        @Override
        public Measurement run(LoadPlan plan, Timeline timeline, Progress progress) throws InterruptedException {
            return ReactiveLoad.run(name, plan, List.of(new ReactiveLoad.Step("read",
                    caller -> read.get().doOnSuccess(v -> timeline.success()))), progress);
        }

        @Override
        public void close() {
            closer.run();
        }
    }

    private static Client sluice(PgPoolSettings settings) {
        PgPool pool = PgPool.create(settings.sluice("restart"));
        pool.warmup().block(CLOSE_WAIT);
        return new ReactiveClient("sluice", () -> pool.queryOne(SQL, row -> row.get(0, Long.class), randomId()),
                () -> pool.stop().block(CLOSE_WAIT));
    }

    private static Client r2dbcPool(PgPoolSettings settings) {
        ConnectionPool pool = new ConnectionPool(settings.r2dbcPool());
        pool.warmup().block(CLOSE_WAIT);
        return new ReactiveClient("r2dbc-pool", () -> Flux.usingWhen(pool.create(),
                        (Connection c) -> Flux.from(c.createStatement(SQL).bind("$1", randomId()).execute())
                                .flatMap(result -> result.map((row, meta) -> row.get(0, Long.class))),
                        Connection::close).single(),
                () -> pool.disposeLater().block(CLOSE_WAIT));
    }

    /** One platform thread per caller ({@link BlockingLoad}). */
    private static Client hikari(PgPoolSettings settings) {
        HikariDataSource pool = new HikariDataSource(settings.hikari());
        return new Client() {
            @Override
            public String name() {
                return "hikaricp";
            }

            @Override
            public Measurement run(LoadPlan plan, Timeline timeline, Progress progress) throws InterruptedException {
                return BlockingLoad.run(name(), plan, List.of(new BlockingLoad.Step("read", caller -> {
                    read(pool);
                    timeline.success();
                })), progress);
            }

            @Override
            public void close() {
                pool.close();
            }
        };
    }

    private static void read(HikariDataSource pool) throws SQLException {
        try (java.sql.Connection c = pool.getConnection(); PreparedStatement statement = c.prepareStatement(JDBC_SQL)) {
            statement.setInt(1, randomId());
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                rows.getLong(1);
            }
        }
    }

    private static int randomId() {
        return ThreadLocalRandom.current().nextInt(1, ACCOUNTS + 1);
    }

    /** Successes per 10 ms from the start of the warm-up; what counts is read from the window only. */
    private static final class Timeline {
        private final long startNanos = System.nanoTime();
        private final int windowStart;
        private final AtomicLongArray successes;

        Timeline(Duration warmup, Duration window) {
            this.windowStart = (int) (warmup.toNanos() / BUCKET.toNanos());
            this.successes = new AtomicLongArray((int) (warmup.plus(window).plus(CLOSE_WAIT).toNanos() / BUCKET.toNanos()) + 1);
        }

        long elapsedNanos() {
            return System.nanoTime() - startNanos;
        }

        void success() {
            int bucket = (int) Math.min(successes.length() - 1, elapsedNanos() / BUCKET.toNanos());
            successes.incrementAndGet(bucket);
        }

        /** {@code measured} with the longest gap, the restart's length and the throughput before and after it. */
        SystemResult result(SystemResult measured, long downNanos, long backNanos) {
            int last = successes.length() - 1;
            while (last > windowStart && successes.get(last) == 0) {
                last--;
            }
            long before = 0;
            long after = 0;
            int downBucket = (int) (downNanos / BUCKET.toNanos());
            int backBucket = (int) (backNanos / BUCKET.toNanos());
            int gap = 0;
            int longestGap = 0;
            for (int i = windowStart; i <= last; i++) {
                long n = successes.get(i);
                if (i < downBucket) {
                    before += n;
                } else if (i >= backBucket) {
                    after += n;
                }
                gap = n == 0 ? gap + 1 : 0;
                longestGap = Math.max(longestGap, gap);
            }
            double bucketSeconds = BUCKET.toNanos() / 1e9;
            Map<String, Object> details = new LinkedHashMap<>(measured.details());
            details.put("longestGapMs", longestGap * BUCKET.toMillis());
            details.put("restartMs", TimeUnit.NANOSECONDS.toMillis(backNanos - downNanos));
            details.put("opsPerSecBefore", before / Math.max(bucketSeconds, (downBucket - windowStart) * bucketSeconds));
            details.put("opsPerSecAfter", after / Math.max(bucketSeconds, (last + 1 - backBucket) * bucketSeconds));
            details.putIfAbsent("errorSamples", List.of());
            return new SystemResult(measured.name(), measured.opsPerSec(), measured.p50Ms(), measured.p99Ms(), measured.maxMs(),
                    measured.errors(), measured.peakThreads(), measured.heapBytes(), null, details);
        }
    }
}
