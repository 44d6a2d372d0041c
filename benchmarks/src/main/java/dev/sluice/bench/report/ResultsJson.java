package dev.sluice.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes {@code results.json}, the machine-readable results, in the shape issue 7 documents:
 *
 * <pre>{@code
 * {"machine": {"cores", "memoryBytes", "jdk", "postgres", "natsServer", "date", ...},
 *  "scenarios": [{"name",
 *                 "systems": [{"name", "opsPerSec", "p50Ms", "p99Ms", "maxMs", "errors", "peakThreads", "heapBytes",
 *                              "skipped"?, "details"}],
 *                 "ratios": {"sluice/<peer>": number},
 *                 "title", "settings", "goals", "sweep"?, "notes"}]}
 * }</pre>
 *
 * The documented fields are always present (null for a skipped system, which carries {@code "skipped": reason});
 * the others add detail and are described in the benchmarks README.
 */
public final class ResultsJson {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ResultsJson() {
    }

    /** The results as a JSON tree. */
    public static ObjectNode toJson(BenchResults results) {
        ObjectNode root = JSON.createObjectNode();
        MachineInfo m = results.machine();
        ObjectNode machine = root.putObject("machine");
        machine.put("cores", m.cores());
        machine.put("memoryBytes", m.memoryBytes());
        machine.put("jdk", m.jdk());
        machine.put("postgres", m.postgres());
        machine.put("natsServer", m.natsServer());
        machine.put("date", m.date());
        machine.put("loadAverage", Ratios.round(m.loadAverage(), 2));
        root.put("mode", results.mode());
        ArrayNode scenarios = root.putArray("scenarios");
        for (ScenarioResult scenario : results.scenarios()) {
            scenarios.add(scenario(scenario));
        }
        return root;
    }

    /** Writes the results to {@code file}, creating its directory. */
    public static void write(BenchResults results, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        JSON.writeValue(file.toFile(), toJson(results));
    }

    private static ObjectNode scenario(ScenarioResult s) {
        ObjectNode node = JSON.createObjectNode();
        node.put("name", s.name());
        ArrayNode systems = node.putArray("systems");
        for (SystemResult system : s.systems()) {
            systems.add(system(system));
        }
        ObjectNode ratios = node.putObject("ratios");
        s.ratios().forEach(ratios::put);
        node.put("title", s.title());
        node.set("settings", JSON.valueToTree(s.settings()));
        ArrayNode goals = node.putArray("goals");
        for (GoalCheck goal : s.goals()) {
            ObjectNode g = goals.addObject();
            g.put("name", goal.name());
            g.put("goal", goal.goal());
            g.put("measured", goal.measured());
            if (goal.met() == null) {
                g.putNull("met");
            } else {
                g.put("met", goal.met());
            }
        }
        if (!s.sweep().isEmpty()) {
            ArrayNode sweep = node.putArray("sweep");
            for (SweepPoint p : s.sweep()) {
                ObjectNode point = sweep.addObject();
                point.put("callers", p.callers());
                point.put("system", p.system());
                point.put("opsPerSec", Ratios.round(p.opsPerSec(), 1));
                point.put("p50Ms", Ratios.round(p.p50Ms(), 3));
                point.put("p99Ms", Ratios.round(p.p99Ms(), 3));
                point.put("errors", p.errors());
            }
        }
        ArrayNode notes = node.putArray("notes");
        s.notes().forEach(notes::add);
        return node;
    }

    private static ObjectNode system(SystemResult r) {
        ObjectNode node = JSON.createObjectNode();
        node.put("name", r.name());
        putNumber(node, "opsPerSec", r.opsPerSec() == null ? null : Ratios.round(r.opsPerSec(), 1));
        putNumber(node, "p50Ms", r.p50Ms() == null ? null : Ratios.round(r.p50Ms(), 3));
        putNumber(node, "p99Ms", r.p99Ms() == null ? null : Ratios.round(r.p99Ms(), 3));
        putNumber(node, "maxMs", r.maxMs() == null ? null : Ratios.round(r.maxMs(), 3));
        putNumber(node, "errors", r.errors());
        putNumber(node, "peakThreads", r.peakThreads());
        putNumber(node, "heapBytes", r.heapBytes());
        if (r.skipped() != null) {
            node.put("skipped", r.skipped());
        }
        JsonNode details = JSON.valueToTree(new java.util.TreeMap<>(r.details()));
        node.set("details", details);
        return node;
    }

    private static void putNumber(ObjectNode node, String field, Number value) {
        if (value == null) {
            node.putNull(field);
        } else if (value instanceof Double d) {
            node.put(field, d);
        } else if (value instanceof Integer i) {
            node.put(field, i);
        } else {
            node.put(field, value.longValue());
        }
    }

    /** For tests and tools: reads a results file back as a tree. */
    public static JsonNode read(Path file) throws IOException {
        return JSON.readTree(file.toFile());
    }
}
