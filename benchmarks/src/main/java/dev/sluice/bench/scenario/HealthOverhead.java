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
import dev.sluice.bench.system.PgPoolSettings;
import dev.sluice.bench.system.SluicePoolSystem;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Scenario 4, {@code health-overhead}: the pool round trip of scenario 1 (Sluice only) with health switched on
 * ({@code sluice}) and off ({@code sluice-health-off}), alternating. What "health on" means is the
 * {@link HealthInstrumentation} given; when it is unavailable, both systems are reported as skipped with its reason.
 */
public final class HealthOverhead implements Scenario {

    /** The scenario's name. */
    public static final String NAME = "health-overhead";
    private static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(5);

    private final HealthInstrumentation health;

    /** @param health what to switch on around the pool */
    public HealthOverhead(HealthInstrumentation health) {
        this.health = Objects.requireNonNull(health, "health");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String title() {
        return "`SELECT 1` through a Sluice pool of 8, 64 callers, with the " + health.description() + " on, versus off.";
    }

    @Override
    public ScenarioResult run(ScenarioContext context) throws Exception {
        BenchOptions options = context.options();
        int callers = options.callersOr(PoolRoundTrip.CALLERS);
        int poolSize = options.poolSizeOr(PoolRoundTrip.POOL_SIZE);
        Map<String, Object> shown = new LinkedHashMap<>();
        shown.put("callers", callers);
        shown.put("pool size", poolSize);
        shown.put("warm-up", Progress.duration(options.warmup()));
        shown.put("window", Progress.duration(options.duration()));
        shown.put("rounds", options.rounds());
        Optional<String> unavailable = health.unavailable();
        if (unavailable.isPresent()) {
            String reason = unavailable.get();
            context.progress().note("skipped: " + reason);
            List<SystemResult> skipped = List.of(SystemResult.skipped("sluice", reason), SystemResult.skipped("sluice-health-off", reason));
            return new ScenarioResult(NAME, title(), shown, skipped, Map.of(),
                    List.of(new GoalCheck("sluice/sluice-health-off", "≥ 0.98×", "not measured: " + reason, null)), List.of(), List.of());
        }
        PgPoolSettings settings = new PgPoolSettings(context.database(), poolSize, ACQUIRE_TIMEOUT);
        List<LoadSystem> systems = List.of(
                new SluicePoolSystem("sluice", settings, health::attach),
                new SluicePoolSystem("sluice-health-off", settings, SluicePoolSystem.NOTHING_ATTACHED));
        List<SystemResult> results = Alternation.run(systems, new LoadPlan(callers, options.warmup(), options.duration()),
                options.rounds(), options.firstWarmup(), context.progress());
        Map<String, Double> ratios = Ratios.of("sluice", results);
        List<GoalCheck> goals = List.of(GoalCheck.ratioAtLeast("sluice/sluice-health-off", 0.98, ratios, "not measured"));
        return new ScenarioResult(NAME, title(), shown, results, ratios, goals, List.of(),
                CpuPerOperation.describe(results).map(List::of).orElse(List.of()));
    }
}
