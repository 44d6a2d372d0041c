package dev.sluice.bench.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Fixed results, as a run could have produced them, for the writers' tests. */
final class Fixtures {

    private Fixtures() {
    }

    static SystemResult system(String name, double opsPerSec) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("threadsBefore", 18);
        details.put("threadsAdded", 2);
        return new SystemResult(name, opsPerSec, 1.5, 4.25, 12.0, 0L, 20, 16L * 1024 * 1024, null, details);
    }

    static ScenarioResult poolRoundTrip() {
        List<SystemResult> systems = List.of(system("sluice", 21_000), system("r2dbc-pool", 20_000), system("hikaricp", 30_000),
                SystemResult.skipped("pgbench", "pgbench not found"));
        Map<String, Double> ratios = Ratios.of("sluice", systems);
        return new ScenarioResult("pool-round-trip", "SELECT 1 through a pool", Map.of("callers", 64), systems, ratios,
                List.of(GoalCheck.ratioAtLeast("sluice/r2dbc-pool", 1.0, ratios, "not measured"),
                        GoalCheck.ratioAtLeast("sluice/hikaricp", 1.3, ratios, "not measured"),
                        GoalCheck.ratioAtLeast("sluice/pgbench", 0.75, ratios, "not measured (a system was skipped)")),
                List.of(new SweepPoint(1, "sluice", 4_000, 0.2, 0.5, 0), new SweepPoint(1, "r2dbc-pool", 4_100, 0.2, 0.5, 0),
                        new SweepPoint(64, "sluice", 21_000, 3.0, 4.2, 0), new SweepPoint(64, "r2dbc-pool", 20_000, 3.1, 4.3, 0)),
                List.of("a note"));
    }

    static ScenarioResult healthSkipped() {
        String reason = "reactive-health not built in this branch";
        return new ScenarioResult("health-overhead", "health on versus off", Map.of(),
                List.of(SystemResult.skipped("sluice", reason), SystemResult.skipped("sluice-health-off", reason)), Map.of(),
                List.of(new GoalCheck("sluice/sluice-health-off", "≥ 0.98×", "not measured: " + reason, null)), List.of(), List.of());
    }

    static BenchResults results() {
        MachineInfo machine = new MachineInfo(2, 24L << 30, "OpenJDK 17", "18.6", "2.9.10", "2026-01-01T00:00:00Z", 1.5);
        return new BenchResults(machine, "quick", List.of(poolRoundTrip(), healthSkipped()),
                List.of(new MicroResult("PoolAcquireBenchmark.acquireRelease", Map.of("pool", "r2dbc-pool"), 1, 400, 10, "ns/op"),
                        new MicroResult("PoolAcquireBenchmark.acquireRelease", Map.of("pool", "sluice-layers"), 1, 800, 20, "ns/op")));
    }
}
