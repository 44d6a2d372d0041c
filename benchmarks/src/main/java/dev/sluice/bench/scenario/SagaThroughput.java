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
                    options.firstWarmup(), context.progress());
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
        shown.put("warm-up", Progress.duration(options.warmup()));
        shown.put("window", Progress.duration(options.duration()));
        shown.put("rounds", options.rounds());
        return new ScenarioResult(NAME, title(), shown, results, ratios, goals, List.of(), List.of(
                "Per saga, the log makes three group-committed writes (the saga with its first step's start; the first step's "
                        + "result with the second's start; the second's result with the saga's end), each shared with other sagas' "
                        + "writes in one statement; each KV step first reads the key (the pre-image its compensation puts back); the "
                        + "insert runs in a transaction with its completion record (BEGIN, the saga boundary's settings, the insert, "
                        + "the record, COMMIT). The bare system runs the three operations and nothing else: two KV puts and one "
                        + "autocommit insert."));
    }
}
