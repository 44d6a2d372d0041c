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
import dev.sluice.bench.system.HikariSystem;
import dev.sluice.bench.system.PgPoolSettings;
import dev.sluice.bench.system.R2dbcPoolSystem;
import dev.sluice.bench.system.SluicePoolSystem;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Scenario 2, {@code callers-10k}: 10,000 concurrent callers on a pool of 20. Sluice holds them as pending
 * subscriptions; raw r2dbc-pool is measured beside it, and HikariCP with one platform thread per caller, as far as
 * the JVM lets it. One round (10,000 threads are expensive to start and stop); the acquire timeout is 30 s,
 * HikariCP's default, so waiting callers are measured as latency rather than cut off.
 */
public final class TenThousandCallers implements Scenario {

    /** The scenario's name. */
    public static final String NAME = "callers-10k";
    /** Concurrent callers. */
    public static final int CALLERS = 10_000;
    /** Connections of the pools. */
    public static final int POOL_SIZE = 20;
    private static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(30);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String title() {
        return "`SELECT 1` with 10,000 concurrent callers on a pool of 20: Sluice beside raw r2dbc-pool, and HikariCP "
                + "with one thread per caller.";
    }

    @Override
    public ScenarioResult run(ScenarioContext context) throws Exception {
        BenchOptions options = context.options();
        int callers = options.callersOr(CALLERS);
        int poolSize = options.poolSizeOr(POOL_SIZE);
        PgPoolSettings settings = new PgPoolSettings(context.database(), poolSize, ACQUIRE_TIMEOUT);
        List<LoadSystem> systems = List.of(SluicePoolSystem.plain(settings), new R2dbcPoolSystem(settings), new HikariSystem(settings));
        LoadPlan plan = new LoadPlan(callers, options.warmup(), options.duration());
        List<SystemResult> results = Alternation.run(systems, plan, 1, options.firstWarmup(), context.progress());
        Map<String, Double> ratios = Ratios.of("sluice", results);

        List<GoalCheck> goals = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        int cores = Runtime.getRuntime().availableProcessors();
        Optional<SystemResult> sluice = results.stream().filter(r -> r.name().equals("sluice")).findFirst().filter(SystemResult::measured);
        if (sluice.isPresent()) {
            SystemResult s = sluice.get();
            goals.add(new GoalCheck("errors", "0", Long.toString(s.errors()), s.errors() == 0));
            double littleMs = callers / s.opsPerSec() * 1000;
            goals.add(new GoalCheck("p99 ≤ 2 × callers ÷ throughput", "≤ " + ms(2 * littleMs) + " ms",
                    ms(s.p99Ms()) + " ms (callers ÷ throughput = " + ms(littleMs) + " ms)", s.p99Ms() <= 2 * littleMs));
            int added = ((Number) s.details().getOrDefault("threadsAdded", -1)).intValue();
            goals.add(new GoalCheck("threads added for " + String.format(Locale.ROOT, "%,d", callers) + " callers",
                    "flat: no thread per caller (≤ 2 × cores = " + 2 * cores + ")",
                    "+" + added + " (peak " + s.peakThreads() + ")", added >= 0 && added <= 2 * cores));
            goals.add(new GoalCheck("heap with every caller in flight", "reported",
                    String.format(Locale.ROOT, "%.1f MiB", s.heapBytes() / (1024.0 * 1024.0)), true));
        } else {
            goals.add(new GoalCheck("errors", "0", "not measured", null));
        }
        results.stream().filter(r -> r.name().equals("hikaricp")).findFirst().ifPresent(h -> notes.add(hikariNote(h, callers)));
        CpuPerOperation.describe(results).ifPresent(notes::add);

        Map<String, Object> shown = new LinkedHashMap<>();
        shown.put("callers", callers);
        shown.put("pool size", poolSize);
        shown.put("acquire timeout", Progress.duration(ACQUIRE_TIMEOUT));
        shown.put("warm-up", Progress.duration(options.warmup()));
        shown.put("window", Progress.duration(options.duration()));
        shown.put("rounds", 1);
        return new ScenarioResult(NAME, title(), shown, results, ratios, goals, List.of(), notes);
    }

    private static String hikariNote(SystemResult hikari, int callers) {
        if (!hikari.measured()) {
            return "HikariCP could not run " + String.format(Locale.ROOT, "%,d", callers) + " callers: " + hikari.skipped();
        }
        String errors = hikari.errors() == 0 ? "no errors"
                : hikari.errors() + " errors, such as " + hikari.details().getOrDefault("errorSamples", List.of());
        return String.format(Locale.ROOT, "HikariCP ran with %,d platform threads (peak %d live threads in the JVM, %s).",
                callers, hikari.peakThreads(), errors);
    }

    private static String ms(double value) {
        return String.format(Locale.ROOT, "%,.0f", value);
    }
}
