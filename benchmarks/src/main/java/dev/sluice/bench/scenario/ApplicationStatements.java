package dev.sluice.bench.scenario;

import dev.sluice.bench.BenchOptions;
import dev.sluice.bench.Progress;
import dev.sluice.bench.load.Alternation;
import dev.sluice.bench.load.LoadPlan;
import dev.sluice.bench.load.LoadSystem;
import dev.sluice.bench.report.CpuPerOperation;
import dev.sluice.bench.report.GoalCheck;
import dev.sluice.bench.report.Ratios;
import dev.sluice.bench.report.ScenarioResult;
import dev.sluice.bench.report.SystemResult;
import dev.sluice.bench.system.AppSystem;
import dev.sluice.bench.system.AppWorkload;
import dev.sluice.bench.system.PgPoolSettings;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scenario {@code app}: the statements applications send, through Sluice, raw r2dbc-pool and HikariCP with the same
 * pool settings (pool of 8, 64 callers) over a seeded table of 10,000 accounts: a lookup by primary key, a
 * REPEATABLE READ transfer, and a tenant-scoped aggregate under row-level security ({@link AppWorkload}). Each kind
 * of operation is measured on its own, the three clients taking turns, and the balances are checked after every
 * turn. Goals (brief, section 6): Sluice at least 1.10× r2dbc-pool and 1.0× HikariCP on each kind.
 */
public final class ApplicationStatements implements Scenario {

    /** The scenario's name. */
    public static final String NAME = "app";
    /** Concurrent callers. */
    public static final int CALLERS = 64;
    /** Connections of the pools. */
    public static final int POOL_SIZE = 8;
    private static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(5);
    private static final double VERSUS_R2DBC_POOL = 1.10;
    private static final double VERSUS_HIKARICP = 1.0;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String title() {
        return "What applications send, pool of 8 and 64 callers over 10,000 accounts: a lookup by primary key mapped to a record, "
                + "a REPEATABLE READ transfer re-run on serialization failures, and a tenant-scoped aggregate under row-level "
                + "security; Sluice beside raw r2dbc-pool (same settings) and HikariCP (one thread per caller). A system's name "
                + "ends with the kind of operation it ran.";
    }

    @Override
    public ScenarioResult run(ScenarioContext context) throws Exception {
        BenchOptions options = context.options();
        Progress progress = context.progress();
        int callers = options.callersOr(CALLERS);
        int poolSize = options.poolSizeOr(POOL_SIZE);
        AppWorkload workload = AppWorkload.seed(context.database());
        List<SystemResult> results = new ArrayList<>();
        Map<String, Double> ratios = new LinkedHashMap<>();
        List<GoalCheck> goals = new ArrayList<>();
        String missing = "not measured (a system was skipped)";
        try {
            PgPoolSettings settings = new PgPoolSettings(workload.database(), poolSize, ACQUIRE_TIMEOUT);
            LoadPlan plan = new LoadPlan(callers, options.warmup(), options.duration());
            for (AppWorkload.Operation operation : AppWorkload.Operation.values()) {
                progress.line("-- " + operation.label());
                List<LoadSystem> systems = new ArrayList<>();
                for (AppSystem.Client client : AppSystem.Client.values()) {
                    systems.add(new AppSystem(client, operation, workload, settings));
                }
                List<SystemResult> turn = Alternation.run(systems, plan, options.rounds(), options.firstWarmup(), progress);
                Ratios.of("sluice", turn).forEach((pair, ratio) -> ratios.put(operation.label() + " " + pair, ratio));
                goals.add(GoalCheck.ratioAtLeast(operation.label() + " sluice/r2dbc-pool", VERSUS_R2DBC_POOL, ratios, missing));
                goals.add(GoalCheck.ratioAtLeast(operation.label() + " sluice/hikaricp", VERSUS_HIKARICP, ratios, missing));
                turn.stream().map(r -> renamed(r, r.name() + "-" + operation.label())).forEach(results::add);
            }
        } finally {
            workload.drop();
        }
        int checks = workload.balanceChecks();
        int failed = workload.balanceCheckFailures();
        goals.add(new GoalCheck("balances sum to the seeded total after every turn", "all " + checks,
                failed == 0 ? "all " + checks : failed + " of " + checks + " differed", failed == 0));
        long errors = results.stream().filter(SystemResult::measured).mapToLong(SystemResult::errors).sum();
        List<String> notes = new ArrayList<>();
        notes.add("Transfers pick two distinct random accounts among 10,000 and move 1 to 49 between them; with 64 callers "
                + "conflicts are rare, and each client re-runs one on a serialization failure or deadlock with the same "
                + "backoff (" + AppWorkload.RETRY.maxAttempts() + " attempts, " + AppWorkload.RETRY.baseDelay().toMillis() + " ms doubling to "
                + AppWorkload.RETRY.maxDelay().toMillis() + " ms, jitter " + AppWorkload.RETRY.jitter() + "). Errors over all turns: " + errors + ".");
        notes.add("The clients connect as " + AppWorkload.ROLE + ", a role without superuser rights, so row-level security applies.");
        CpuPerOperation.describe(results).ifPresent(notes::add);

        Map<String, Object> shown = new LinkedHashMap<>();
        shown.put("callers", callers);
        shown.put("pool size", poolSize);
        shown.put("accounts", AppWorkload.ACCOUNTS);
        shown.put("warm-up", Progress.duration(options.warmup()));
        shown.put("window", Progress.duration(options.duration()));
        shown.put("rounds", options.rounds());
        return new ScenarioResult(NAME, title(), shown, results, ratios, goals, List.of(), notes);
    }

    private static SystemResult renamed(SystemResult r, String name) {
        return new SystemResult(name, r.opsPerSec(), r.p50Ms(), r.p99Ms(), r.maxMs(), r.errors(), r.peakThreads(), r.heapBytes(),
                r.skipped(), r.details());
    }
}
