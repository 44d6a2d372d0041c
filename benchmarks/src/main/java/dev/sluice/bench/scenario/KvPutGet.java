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
import dev.sluice.bench.system.JnatsKvSystem;
import dev.sluice.bench.system.KvWorkload;
import dev.sluice.bench.system.SluiceKvSystem;
import dev.sluice.pool.kv.KvStores;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Scenario 3, {@code kv}: 64 concurrent callers, each putting a 100-byte value under its own key and reading it
 * back, through Sluice's KV store and through jnats' blocking KeyValue API on 64 threads; a fresh file-storage
 * bucket (history 1, one replica) that both use, deleted afterwards.
 */
public final class KvPutGet implements Scenario {

    /** The scenario's name. */
    public static final String NAME = "kv";
    /** Concurrent callers. */
    public static final int CALLERS = 64;
    /** Size of every value. */
    public static final int VALUE_BYTES = 100;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String title() {
        return "JetStream KV put then get of 100-byte values, concurrent callers: Sluice's KvStore beside jnats' blocking "
                + "KeyValue API with one thread per caller. An operation is one put or one get.";
    }

    @Override
    public ScenarioResult run(ScenarioContext context) throws Exception {
        BenchOptions options = context.options();
        int callers = options.callersOr(CALLERS);
        String url = context.nats().url();
        String bucket = context.nats().uniqueName("bench");
        try (KvStores provision = KvStores.create(SluiceKvSystem.config(url, bucket))) {
            provision.start().block();
        }
        KvWorkload workload = new KvWorkload(bucket, VALUE_BYTES);
        List<SystemResult> results;
        try {
            List<LoadSystem> systems = List.of(new SluiceKvSystem(url, workload), new JnatsKvSystem(url, workload));
            results = Alternation.run(systems, new LoadPlan(callers, options.warmup(), options.duration()), options.rounds(),
                    options.firstWarmup(), context.progress());
        } finally {
            deleteBucket(url, bucket, context);
        }
        Map<String, Double> ratios = Ratios.of("sluice", results);
        List<GoalCheck> goals = new ArrayList<>();
        goals.add(GoalCheck.ratioAtLeast("sluice/jnats", 1.0, ratios, "not measured (a system was skipped)"));
        int cores = Runtime.getRuntime().availableProcessors();
        Optional<SystemResult> sluice = results.stream().filter(r -> r.name().equals("sluice") && r.measured()).findFirst();
        Optional<SystemResult> jnats = results.stream().filter(r -> r.name().equals("jnats") && r.measured()).findFirst();
        sluice.ifPresent(s -> {
            int added = ((Number) s.details().getOrDefault("threadsAdded", -1)).intValue();
            String peer = jnats.map(j -> "; jnats +" + j.details().getOrDefault("threadsAdded", "?")).orElse("");
            goals.add(new GoalCheck("threads Sluice added", "≤ 2 × cores = " + 2 * cores, "+" + added + peer,
                    added >= 0 && added <= 2 * cores));
        });
        Map<String, Object> shown = new LinkedHashMap<>();
        shown.put("callers", callers);
        shown.put("value", VALUE_BYTES + " bytes");
        shown.put("bucket", "file storage, history 1, 1 replica");
        shown.put("connections", "1 each");
        shown.put("warm-up", Progress.duration(options.warmup()));
        shown.put("window", Progress.duration(options.duration()));
        shown.put("rounds", options.rounds());
        List<String> notes = new ArrayList<>(List.of("Threads added: live threads at the peak of a turn minus those alive before its "
                + "client opened. Both count the threads of their jnats connection (reader, writer, timer and callback "
                + "threads); Sluice's store also starts Reactor's bounded-elastic threads for its blocking start-up. "
                + "Neither count grows with Sluice's callers; jnats' blocking API adds one thread per caller."));
        CpuPerOperation.describe(results).ifPresent(notes::add);
        return new ScenarioResult(NAME, title(), shown, results, ratios, goals, List.of(), notes);
    }

    private static void deleteBucket(String url, String bucket, ScenarioContext context) {
        try {
            Connection c = Nats.connect(new Options.Builder().servers(url.split(",")).connectionName("bench-cleanup").build());
            try {
                c.keyValueManagement().delete(bucket);
            } finally {
                c.close();
            }
        } catch (Exception e) {
            context.progress().line("could not delete the benchmark bucket " + bucket + ": " + e.getMessage());
        }
    }
}
