package dev.sluice.bench.scenario;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbos.transact.DBOS;
import dev.dbos.transact.migrations.MigrationManager;
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
import dev.sluice.bench.system.DbosSagaSystem;
import dev.sluice.bench.system.PgPoolSettings;
import dev.sluice.bench.system.SagaSystem;
import dev.sluice.bench.system.SagaWorkload;
import dev.sluice.pool.PoolRegistry;
import dev.sluice.testkit.PostgresServer;
import dev.sluice.testkit.TestDatabase;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Scenario {@code saga} (brief section 6): a three-step saga (two KV writes, one PostgreSQL insert) with its durable
 * log, 64 concurrent, beside DBOS Transact running the same three operations as the steps of one workflow, and the
 * same operations run bare as the floor. Goals: at least 2,000 sagas/s on 2 cores, and at least 2.0× DBOS. Each
 * system's commits and rows written per saga are counted by PostgreSQL ({@link PgWriteAccounting}).
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
    private static final String POSTGRES_NOTE = "Commits and rows written per saga are PostgreSQL's own counts (pg_stat_database's "
            + "xact_commit, read-only transactions included; pg_stat_user_tables' n_tup_ins + n_tup_upd + n_tup_del) read before "
            + "each turn opens its client and after it has closed and its sessions have ended (a session hands its counts over "
            + "at most once a second while it works, and in full when it ends), divided by the sagas the turn completed, "
            + "warm-up included; opening and closing the clients is counted with them.";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String title() {
        return "A three-step saga (two KV puts, one PostgreSQL insert) with its durable log in PostgreSQL, concurrent callers, "
                + "beside DBOS Transact running the same three operations as the steps of one durable workflow, and the same "
                + "operations run one after another without a saga (the floor). An operation is one saga (one workflow, one "
                + "set of three operations).";
    }

    @Override
    public ScenarioResult run(ScenarioContext context) throws Exception {
        BenchOptions options = context.options();
        int callers = options.callersOr(CALLERS);
        TestDatabase database = context.database();
        PostgresServer.execute(database, "DROP TABLE IF EXISTS " + TABLE
                + "; CREATE TABLE " + TABLE + " (id bigserial PRIMARY KEY, ref text NOT NULL)");
        SagaWorkload workload = new SagaWorkload(new PgPoolSettings(database, options.poolSizeOr(POOL_SIZE), Duration.ofSeconds(30)),
                context.nats().url(), context.nats().uniqueName("bench-saga"), TABLE);
        DbosSagaSystem dbos = new DbosSagaSystem(workload);
        List<SystemResult> results;
        try (PgWriteAccounting accounting = PgWriteAccounting.open(database)) {
            prepare(workload, dbos, context.progress());
            List<LoadSystem> systems = List.of(accounting.counting(new SagaSystem(workload)), accounting.counting(dbos),
                    accounting.counting(new BareSagaOpsSystem(workload)));
            results = accounting.withCounts(Alternation.run(systems, new LoadPlan(callers, options.warmup(), options.duration()),
                    options.rounds(), options.firstWarmupTimes(FIRST_WARMUP_TIMES), context.progress()));
        } finally {
            PostgresServer.execute(database, "DROP TABLE IF EXISTS " + TABLE + "; DROP SCHEMA IF EXISTS "
                    + SagaSystem.LOG.schema() + " CASCADE; DROP SCHEMA IF EXISTS " + DbosSagaSystem.SCHEMA + " CASCADE");
        }
        Map<String, Double> ratios = Ratios.of("sluice-saga", results);
        List<GoalCheck> goals = new ArrayList<>();
        goals.add(GoalCheck.ratioAtLeast("sluice-saga/dbos", 2.0, ratios, whyNoRatio(results, "dbos")));
        results.stream().filter(r -> r.name().equals("sluice-saga") && r.measured()).findFirst().ifPresent(saga ->
                goals.add(new GoalCheck("sagas per second", "≥ 2,000 on 2 cores", String.format(Locale.ROOT, "%,.0f", saga.opsPerSec()),
                        saga.opsPerSec() >= 2000)));
        Map<String, Object> shown = new LinkedHashMap<>();
        shown.put("callers", callers);
        shown.put("pool size", options.poolSizeOr(POOL_SIZE) + " (dbos: " + dbos.poolConfig().getMaximumPoolSize()
                + ", one of them DBOS's LISTEN connection)");
        shown.put("steps", "kvPut, kvPut, SQL insert (durable log in PostgreSQL)");
        shown.put("dbos", "DBOS Transact " + DBOS.version() + ", system tables in schema " + DbosSagaSystem.SCHEMA
                + " of the benchmark database, one thread per caller");
        shown.put("warm-up", Progress.duration(options.warmup()) + " (first turn of each system: "
                + Progress.duration(options.firstWarmupTimes(FIRST_WARMUP_TIMES)) + ")");
        shown.put("window", Progress.duration(options.duration()));
        shown.put("rounds", options.rounds());
        List<String> notes = new ArrayList<>();
        notes.add("Per saga, the log makes two group-committed writes (the saga with its first step's start; the first step's "
                + "result with the second's start), each shared with other sagas' writes in one statement. The KV steps create "
                + "their keys without reading them first (the keys are new; the pre-image logged is 'absent'). The insert runs "
                + "in one transaction with one log statement carrying the second step's result, its own record and the saga's "
                + "end: three round trips (BEGIN with the saga boundary's settings and the insert sent behind it, the record, "
                + "COMMIT); the record also ends the saga, so the saga row is written once more, not locked first. The bare "
                + "system runs the three operations and nothing else: two KV puts and one autocommit insert.");
        notes.add("DBOS runs the three operations as steps of one workflow (DBOS.runStep): it records the workflow when it "
                + "starts and when it ends, and before each step looks up whether that step already has a recorded result, "
                + "then records the step's result, each in a transaction of its own; the insert is a step's autocommit "
                + "statement. Its callers are platform threads, one per caller; DBOS runs each workflow on a thread of its "
                + "own executor while the caller waits.");
        notes.add(POSTGRES_NOTE);
        postgresPerSaga(results).ifPresent(notes::add);
        return new ScenarioResult(NAME, title(), shown, results, ratios, goals, List.of(), notes);
    }

    /**
     * Creates what every turn uses but none should be charged for: the bucket (through a Sluice registry, with the
     * settings the Sluice systems give it) and DBOS's system tables (its migrations).
     */
    private static void prepare(SagaWorkload workload, DbosSagaSystem dbos, Progress progress) {
        progress.line("saga: creating the bucket and DBOS's system tables");
        try (PoolRegistry registry = workload.open()) {
            registry.kv(workload.bucket());
        }
        try (HikariDataSource pool = new HikariDataSource(dbos.poolConfig())) {
            MigrationManager.runMigrations(DbosSagaSystem.dbosConfig(pool));
        }
    }

    private static String whyNoRatio(List<SystemResult> results, String peer) {
        return results.stream().filter(r -> r.name().equals(peer) && !r.measured()).findFirst()
                .map(r -> "not measured (" + peer + " skipped: " + r.skipped() + ")")
                .orElse("not measured (sluice-saga skipped)");
    }

    /** One sentence with each system's commits and rows written per saga, when they were counted. */
    static Optional<String> postgresPerSaga(List<SystemResult> results) {
        List<String> parts = new ArrayList<>();
        for (SystemResult r : results) {
            PgWriteAccounting.counts(r).filter(c -> c.get("commitsPerOp") instanceof Number).ifPresent(c ->
                    parts.add(String.format(Locale.ROOT, "%s %.2f commits and %.2f rows written", r.name(),
                            ((Number) c.get("commitsPerOp")).doubleValue(), ((Number) c.get("rowsWrittenPerOp")).doubleValue())));
        }
        return parts.isEmpty() ? Optional.empty() : Optional.of("PostgreSQL per saga in this run: " + String.join("; ", parts) + ".");
    }
}
