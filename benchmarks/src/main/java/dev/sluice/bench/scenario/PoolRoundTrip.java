package dev.sluice.bench.scenario;

import dev.sluice.bench.BenchOptions;
import dev.sluice.bench.Progress;
import dev.sluice.bench.load.Alternation;
import dev.sluice.bench.load.LoadPlan;
import dev.sluice.bench.load.LoadSystem;
import dev.sluice.bench.report.CpuPerOperation;
import dev.sluice.bench.report.GoalCheck;
import dev.sluice.bench.report.MarkdownReport;
import dev.sluice.bench.report.Ratios;
import dev.sluice.bench.report.ScenarioResult;
import dev.sluice.bench.report.SweepChart;
import dev.sluice.bench.report.SweepPoint;
import dev.sluice.bench.report.SystemResult;
import dev.sluice.bench.system.HikariSystem;
import dev.sluice.bench.system.PgPoolSettings;
import dev.sluice.bench.system.PgbenchSystem;
import dev.sluice.bench.system.R2dbcPoolSystem;
import dev.sluice.bench.system.SluicePoolSystem;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Scenario 1, {@code pool-round-trip}: {@code SELECT 1} through a pool of 8 with 64 concurrent callers, Sluice beside
 * raw r2dbc-pool (same settings), HikariCP on pgjdbc (64 threads) and pgbench ({@code -M prepared -c 8 -j 2}); then a
 * sweep of callers (1, 8, 64, 512) for the three pools, drawn as a chart.
 */
public final class PoolRoundTrip implements Scenario {

    /** The scenario's name. */
    public static final String NAME = "pool-round-trip";
    /** Callers of the headline measurement. */
    public static final int CALLERS = 64;
    /** Connections of the pools. */
    public static final int POOL_SIZE = 8;
    /** Callers of the sweep. */
    public static final List<Integer> SWEEP = List.of(1, 8, 64, 512);
    private static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(5);

    /**
     * Where the goals stand and why, from JFR profiles of this scenario on the project's 2-core machine (2026-11-25),
     * PostgreSQL on the same cores; the numbers of a run are in its tables and in the CPU note.
     */
    static final List<String> PROFILED = List.of(
            "Sluice against raw r2dbc-pool (goal ≥ 1.0×): Sluice's pool is r2dbc-pool with a layer of its own on top "
                    + "(the detached acquire, the tracked connection, the breaker, statistics, slow-statement timing), which "
                    + "profiles at a few per cent of the JVM's samples. It costs less CPU per operation than raw r2dbc-pool "
                    + "because of what it leaves out: it arms no timer around LOCAL checkout validation (a look at the "
                    + "driver's own state, with no round trip to time), where r2dbc-pool given a validation timeout arms "
                    + "one on Reactor's parallel scheduler for every checkout, an insert into and a removal from a "
                    + "ScheduledThreadPoolExecutor queue under its lock and often a thread wake-up. Timer work was about a "
                    + "tenth of raw r2dbc-pool's samples (acquire and validation timers), a few per cent of Sluice's (the "
                    + "acquire timer only). Both pay for r2dbc-pool's String.format in every validation (2-3% of samples).",
            "Sluice against HikariCP (goal ≥ 1.3×, not met on this machine): about 70% of Sluice's samples are in "
                    + "Reactor, Netty and r2dbc-postgresql (operators, event-loop hand-offs, protocol decoding), under 5% in "
                    + "Sluice's own classes. pgjdbc on blocking threads spent about as much JVM CPU per round trip as "
                    + "Sluice, or less (26 to 32 µs against 28 to 33 µs in the runs of 2026-11-25), and it switches to a "
                    + "server-side prepared statement after five uses, where r2dbc-postgresql sends `SELECT 1` by the "
                    + "simple query protocol, parsed and planned by the server every time (the server's share was not "
                    + "profiled). With PostgreSQL on the same two cores, CPU saved on either side is throughput; what "
                    + "is left to gain is in the driver stack, not in the pool. Sluice's own remaining cost: the in-use "
                    + "set (a ConcurrentHashMap add and remove per call, for shutdown and leak tracking), its counters "
                    + "and acquire histogram, and Resilience4j's sliding window.",
            "Sluice against pgbench (goal ≥ 0.75×, not met): pgbench is a C client with one connection per client, no "
                    + "pool and no queue; it is the machine's round-trip capacity with that many connections. No JVM client "
                    + "came near 0.75× of it here: in the runs of 2026-11-25 HikariCP reached 0.39× to 0.47×, Sluice "
                    + "0.38× to 0.43×.");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String title() {
        return "`SELECT 1` through a pool, concurrent callers in a closed loop: Sluice beside raw r2dbc-pool with the same "
                + "settings, HikariCP on pgjdbc (one thread per caller) and pgbench (one client per connection, no pool).";
    }

    @Override
    public ScenarioResult run(ScenarioContext context) throws Exception {
        BenchOptions options = context.options();
        Progress progress = context.progress();
        int callers = options.callersOr(CALLERS);
        int poolSize = options.poolSizeOr(POOL_SIZE);
        PgPoolSettings settings = new PgPoolSettings(context.database(), poolSize, ACQUIRE_TIMEOUT);
        Optional<Path> pgbench = PgbenchSystem.locate(context.env());
        List<LoadSystem> pools = List.of(SluicePoolSystem.plain(settings), new R2dbcPoolSystem(settings), new HikariSystem(settings));
        List<LoadSystem> systems = new ArrayList<>(pools);
        systems.add(new PgbenchSystem(settings, pgbench, "pgbench not found (looked at SLUICE_PGBENCH, PATH and "
                + "/usr/lib/postgresql/*/bin; Debian: apt-get install postgresql-client)", context.output().resolve("pgbench")));

        // The sweep's other points run first: their turns carry each pool's first, longer warm-up and whatever the JIT
        // still compiles after it, so that the headline, which the goals are read from, measures compiled code only.
        Map<Integer, List<SystemResult>> sweepRuns = sweepOtherCallers(context, pools, callers);
        progress.line("-- " + callers + " callers, " + options.rounds() + (options.rounds() == 1 ? " round" : " rounds"));
        LoadPlan plan = new LoadPlan(callers, options.warmup(), options.duration());
        List<SystemResult> results = Alternation.run(systems, plan, options.rounds(), options.firstWarmup(), progress);
        Map<String, Double> ratios = Ratios.of("sluice", results);
        String missing = "not measured (a system was skipped)";
        List<GoalCheck> goals = List.of(
                GoalCheck.ratioAtLeast("sluice/r2dbc-pool", 1.0, ratios, missing),
                GoalCheck.ratioAtLeast("sluice/hikaricp", 1.3, ratios, missing),
                GoalCheck.ratioAtLeast("sluice/pgbench", 0.75, ratios, missing));

        List<SweepPoint> sweep = sweepPoints(pools, sweepRuns, callers, results);
        Path chart = context.output().resolve(MarkdownReport.SWEEP_CHART);
        if (!sweep.isEmpty()) {
            SweepChart.write(sweep, "SELECT 1 through a pool of " + poolSize + ": throughput by concurrent callers", chart);
            progress.line("caller sweep chart: " + chart.toAbsolutePath());
        }

        Map<String, Object> shown = new LinkedHashMap<>();
        shown.put("callers", callers);
        shown.put("pool size", poolSize);
        shown.put("warm-up", Progress.duration(options.warmup()));
        shown.put("window", Progress.duration(options.duration()));
        shown.put("rounds", options.rounds());
        shown.put("sweep", SWEEP + " callers, warm-up " + Progress.duration(options.sweepWarmup()) + ", window "
                + Progress.duration(options.sweepDuration()) + ", one round");
        List<String> notes = new ArrayList<>();
        notes.add("pgbench runs " + poolSize + " clients, one per connection (-c " + poolSize + " -j "
                + Math.min(PgbenchSystem.THREADS, poolSize) + "), so it never waits for a connection: it is the limit of "
                + "round trips on this machine with that many connections, not a pool.");
        notes.add("Statements: Sluice and r2dbc-pool send `SELECT 1` without parameters (r2dbc-postgresql's simple query "
                + "protocol); HikariCP/pgjdbc and pgbench -M prepared use server-side prepared statements.");
        notes.add("pgbench's latencies come from its per-transaction log, timed with its own coarse clock (under load it reuses "
                + "one timestamp for several transactions, so a p50 can read 0): compare its throughput, not its p50.");
        CpuPerOperation.describe(results).ifPresent(notes::add);
        notes.addAll(PROFILED);
        return new ScenarioResult(NAME, title(), shown, results, ratios, goals, sweep, notes);
    }

    /** The sweep's points other than the headline's number of callers, one round each, by number of callers. */
    private static Map<Integer, List<SystemResult>> sweepOtherCallers(ScenarioContext context, List<LoadSystem> pools, int headlineCallers)
            throws InterruptedException {
        BenchOptions options = context.options();
        Map<Integer, List<SystemResult>> runs = new LinkedHashMap<>();
        for (int callers : SWEEP) {
            if (callers != headlineCallers) {
                context.progress().line("-- caller sweep: " + callers + " callers");
                runs.put(callers, Alternation.run(pools, new LoadPlan(callers, options.sweepWarmup(), options.sweepDuration()), 1,
                        options.firstWarmup(), context.progress()));
            }
        }
        return runs;
    }

    /** The sweep's points in order of callers, the headline's among them. */
    private static List<SweepPoint> sweepPoints(List<LoadSystem> pools, Map<Integer, List<SystemResult>> runs, int headlineCallers,
                                                List<SystemResult> headline) {
        List<SweepPoint> points = new ArrayList<>();
        for (int callers : SWEEP) {
            List<SystemResult> results = callers == headlineCallers ? headline : runs.getOrDefault(callers, List.of());
            for (SystemResult r : results) {
                if (r.measured() && pools.stream().anyMatch(p -> p.name().equals(r.name()))) {
                    points.add(new SweepPoint(callers, r.name(), r.opsPerSec(), r.p50Ms(), r.p99Ms(), r.errors()));
                }
            }
        }
        return points;
    }
}
