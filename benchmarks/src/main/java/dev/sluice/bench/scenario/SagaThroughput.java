package dev.sluice.bench.scenario;

import dev.sluice.bench.BenchOptions;
import dev.sluice.bench.Progress;
import dev.sluice.bench.load.Alternation;
import dev.sluice.bench.load.LoadPlan;
import dev.sluice.bench.load.LoadSystem;
import dev.sluice.bench.report.GoalCheck;
import dev.sluice.bench.report.Ratios;
import dev.sluice.bench.report.ScenarioResult;
import dev.sluice.bench.report.SystemResult;
import dev.sluice.bench.system.BareSagaOpsSystem;
import dev.sluice.bench.system.PgPoolSettings;
import dev.sluice.bench.system.SagaSystem;
import dev.sluice.bench.system.SagaWorkload;
import dev.sluice.testkit.PostgresServer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scenario {@code saga} (brief section 6): a three-step saga (two KV writes, one PostgreSQL insert) with its durable
 * log, 64 concurrent, beside the same three operations run bare. Goals: at least 2,000 sagas/s on 2 cores, and at
 * least 0.5× the bare operations.
 */
public final class SagaThroughput implements Scenario {

    /** The scenario's name. */
    public static final String NAME = "saga";
    /** Concurrent callers. */
    public static final int CALLERS = 64;
    /** Pool size: the saga log writes several times per saga. */
    public static final int POOL_SIZE = 16;
    /**
     * The first turn of each system warms up this many times as long as in the other scenarios: the saga's code path
     * (the executor, the log's group commit, KV and SQL steps) is long, and with the JIT compiling it on the same two
     * cores it took about a minute to settle: after 20 s of load the compiler still had a quarter of the JVM's CPU,
     * after 60 s a twelfth.
     */
    static final int FIRST_WARMUP_TIMES = 5;
    private static final String TABLE = "bench_saga_orders";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String title() {
        return "A three-step saga (two KV puts, one PostgreSQL insert) with its durable log in PostgreSQL, concurrent callers, "
                + "beside the same three operations run one after another without a saga. An operation is one saga (or one "
                + "set of three operations).";
    }

    @Override
    public ScenarioResult run(ScenarioContext context) throws Exception {
        BenchOptions options = context.options();
        int callers = options.callersOr(CALLERS);
        PostgresServer.execute(context.database(), "DROP TABLE IF EXISTS " + TABLE
                + "; CREATE TABLE " + TABLE + " (id bigserial PRIMARY KEY, ref text NOT NULL)");
        SagaWorkload workload = new SagaWorkload(new PgPoolSettings(context.database(), options.poolSizeOr(POOL_SIZE), Duration.ofSeconds(30)),
                context.nats().url(), context.nats().uniqueName("bench-saga"), TABLE);
        List<SystemResult> results;
        try {
            List<LoadSystem> systems = List.of(new SagaSystem(workload), new BareSagaOpsSystem(workload));
            results = Alternation.run(systems, new LoadPlan(callers, options.warmup(), options.duration()), options.rounds(),
                    options.firstWarmupTimes(FIRST_WARMUP_TIMES), context.progress());
        } finally {
            PostgresServer.execute(context.database(), "DROP TABLE IF EXISTS " + TABLE + "; DROP SCHEMA IF EXISTS "
                    + SagaSystem.LOG.schema() + " CASCADE");
        }
        Map<String, Double> ratios = Ratios.of("sluice-saga", results);
        List<GoalCheck> goals = new ArrayList<>();
        goals.add(GoalCheck.ratioAtLeast("sluice-saga/bare", 0.5, ratios, "not measured (a system was skipped)"));
        results.stream().filter(r -> r.name().equals("sluice-saga") && r.measured()).findFirst().ifPresent(saga ->
                goals.add(new GoalCheck("sagas per second", "≥ 2,000 on 2 cores", String.format(java.util.Locale.ROOT, "%,.0f", saga.opsPerSec()),
                        saga.opsPerSec() >= 2000)));
        Map<String, Object> shown = new LinkedHashMap<>();
        shown.put("callers", callers);
        shown.put("pool size", options.poolSizeOr(POOL_SIZE));
        shown.put("steps", "kvPut, kvPut, SQL insert (durable log in PostgreSQL)");
        shown.put("warm-up", Progress.duration(options.warmup()) + " (first turn of each system: "
                + Progress.duration(options.firstWarmupTimes(FIRST_WARMUP_TIMES)) + ")");
        shown.put("window", Progress.duration(options.duration()));
        shown.put("rounds", options.rounds());
        return new ScenarioResult(NAME, title(), shown, results, ratios, goals, List.of(), List.of(
                "Per saga, the log makes two group-committed writes (the saga with its first step's start; the first step's "
                        + "result with the second's start), each shared with other sagas' writes in one statement. The KV steps create "
                        + "their keys without reading them first (the keys are new; the pre-image logged is 'absent'). The insert runs "
                        + "in one transaction with one log statement carrying the second step's result, its own record and the saga's "
                        + "end: three round trips (BEGIN with the saga boundary's settings and the insert sent behind it, the record, "
                        + "COMMIT); the record also ends the saga, so the saga row is written once more, not locked first. The bare "
                        + "system runs the three operations and nothing else: two KV puts and one autocommit insert."));
    }
}
