package dev.sluice.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Writes {@code report.md}: the machine, then one section per scenario with a table of its systems, a table of its
 * ratios and checks with the brief's goal beside each, the caller sweep where there is one, and the JMH results.
 * Systems whose details carry PostgreSQL's counts per operation ({@link #POSTGRES_DETAILS}) get a table of those too.
 */
public final class MarkdownReport {

    /** File name of the caller-sweep chart, next to the report. */
    public static final String SWEEP_CHART = "caller-sweep.png";
    /**
     * The details key of what a system made PostgreSQL do per operation: a map with {@code commitsPerOp},
     * {@code rowsWrittenPerOp}, {@code rowsInsertedPerOp}, {@code rowsUpdatedPerOp}, {@code rowsDeletedPerOp} and
     * {@code rowsWrittenPerOpByTable} (table name to rows per operation), as {@code PgActivity#perOperation} writes it.
     */
    public static final String POSTGRES_DETAILS = "postgres";

    private static final String NOISE = "Numbers measured on a shared machine are noisy (other builds and tests may run at "
            + "the same time, and the servers share the same cores as the clients): read the ratios, which compare "
            + "systems measured in the same run, alternating, rather than the absolute figures.";

    private MarkdownReport() {
    }

    /** The report as Markdown text. */
    public static String render(BenchResults results) {
        StringBuilder md = new StringBuilder();
        MachineInfo m = results.machine();
        md.append("# Sluice benchmarks\n\n");
        md.append("Run of ").append(m.date()).append(" (").append(results.mode()).append(" mode) on ")
                .append(m.cores()).append(" cores, ").append(gib(m.memoryBytes())).append(" memory, ")
                .append(m.jdk()).append("; PostgreSQL ").append(m.postgres()).append(", nats-server ").append(m.natsServer())
                .append("; load average at start ").append(String.format(Locale.ROOT, "%.2f", m.loadAverage())).append(".\n\n");
        md.append(NOISE).append("\n\n");
        for (ScenarioResult scenario : results.scenarios()) {
            scenario(md, scenario);
        }
        if (!results.micro().isEmpty()) {
            micro(md, results.micro(), results.mode().startsWith("quick"));
        }
        return md.toString();
    }

    /** Writes the report to {@code file}, creating its directory. */
    public static void write(BenchResults results, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, render(results));
    }

    private static void scenario(StringBuilder md, ScenarioResult s) {
        md.append("## ").append(s.name()).append("\n\n").append(s.title()).append("\n\n");
        if (!s.settings().isEmpty()) {
            md.append("Settings: ").append(s.settings().entrySet().stream()
                    .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(" · "))).append(".\n\n");
        }
        md.append("| system | ops/s | p50 ms | p99 ms | max ms | errors | peak threads | threads added | heap MiB |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        List<SystemResult> skipped = new ArrayList<>();
        for (SystemResult r : s.systems()) {
            if (!r.measured()) {
                skipped.add(r);
                md.append("| ").append(r.name()).append(" | skipped |  |  |  |  |  |  |  |\n");
                continue;
            }
            md.append("| ").append(r.name())
                    .append(" | ").append(number(r.opsPerSec(), 0))
                    .append(" | ").append(number(r.p50Ms(), 2))
                    .append(" | ").append(number(r.p99Ms(), 2))
                    .append(" | ").append(number(r.maxMs(), 1))
                    .append(" | ").append(r.errors())
                    .append(" | ").append(r.peakThreads() == null ? "" : r.peakThreads())
                    .append(" | ").append(Optional.ofNullable(r.details().get("threadsAdded")).map(Object::toString).orElse(""))
                    .append(" | ").append(r.heapBytes() == null ? "" : number(r.heapBytes() / (1024.0 * 1024.0), 1))
                    .append(" |\n");
        }
        md.append('\n');
        operations(md, s);
        postgres(md, s);
        if (!s.goals().isEmpty()) {
            md.append("| ratio or check | measured | goal (brief, section 6) | met |\n|---|---:|---|---|\n");
            for (GoalCheck g : s.goals()) {
                md.append("| ").append(g.name()).append(" | ").append(g.measured()).append(" | ").append(g.goal())
                        .append(" | ").append(g.met() == null ? "n/a" : g.met() ? "yes" : "**no**").append(" |\n");
            }
            md.append('\n');
        }
        Set<String> ratioKeysWithGoals = s.goals().stream().map(GoalCheck::name).collect(Collectors.toSet());
        List<String> otherRatios = s.ratios().entrySet().stream().filter(e -> !ratioKeysWithGoals.contains(e.getKey()))
                .map(e -> e.getKey() + " " + Ratios.format(e.getValue()) + "×").toList();
        if (!otherRatios.isEmpty()) {
            md.append("Other ratios (no goal in the brief): ").append(String.join(", ", otherRatios)).append(".\n\n");
        }
        if (!s.sweep().isEmpty()) {
            sweep(md, s.sweep());
        }
        for (SystemResult r : skipped) {
            md.append("- **").append(r.name()).append("** skipped: ").append(r.skipped()).append('\n');
        }
        for (String note : s.notes()) {
            md.append("- ").append(note).append('\n');
        }
        if (!skipped.isEmpty() || !s.notes().isEmpty()) {
            md.append('\n');
        }
    }

    @SuppressWarnings("unchecked")
    private static void operations(StringBuilder md, ScenarioResult s) {
        boolean any = s.systems().stream().anyMatch(r -> r.details().get("operations") instanceof Map);
        if (!any) {
            return;
        }
        md.append("| system | operation | ops/s | p50 ms | p99 ms | max ms |\n|---|---|---:|---:|---:|---:|\n");
        for (SystemResult r : s.systems()) {
            if (!(r.details().get("operations") instanceof Map<?, ?> ops)) {
                continue;
            }
            for (Map.Entry<?, ?> op : ops.entrySet()) {
                Map<String, Object> v = (Map<String, Object>) op.getValue();
                md.append("| ").append(r.name()).append(" | ").append(op.getKey())
                        .append(" | ").append(number((Number) v.get("opsPerSec"), 0))
                        .append(" | ").append(number((Number) v.get("p50Ms"), 2))
                        .append(" | ").append(number((Number) v.get("p99Ms"), 2))
                        .append(" | ").append(number((Number) v.get("maxMs"), 1)).append(" |\n");
            }
        }
        md.append('\n');
    }

    private static void postgres(StringBuilder md, ScenarioResult s) {
        List<SystemResult> counted = s.systems().stream().filter(r -> postgresCounts(r).isPresent()).toList();
        if (counted.isEmpty()) {
            return;
        }
        md.append("PostgreSQL per operation (its own counters: commits from `pg_stat_database`, rows from `pg_stat_user_tables`):\n\n")
                .append("| system | commits | rows written | inserted | updated | deleted | rows written by table |\n")
                .append("|---|---:|---:|---:|---:|---:|---|\n");
        for (SystemResult r : counted) {
            Map<String, Object> pg = postgresCounts(r).orElseThrow();
            String byTable = pg.get("rowsWrittenPerOpByTable") instanceof Map<?, ?> tables
                    ? tables.entrySet().stream().map(e -> e.getKey() + " " + number((Number) e.getValue(), 2)).collect(Collectors.joining(", "))
                    : "";
            md.append("| ").append(r.name())
                    .append(" | ").append(number((Number) pg.get("commitsPerOp"), 2))
                    .append(" | ").append(number((Number) pg.get("rowsWrittenPerOp"), 2))
                    .append(" | ").append(number((Number) pg.get("rowsInsertedPerOp"), 2))
                    .append(" | ").append(number((Number) pg.get("rowsUpdatedPerOp"), 2))
                    .append(" | ").append(number((Number) pg.get("rowsDeletedPerOp"), 2))
                    .append(" | ").append(byTable).append(" |\n");
        }
        md.append('\n');
    }

    /** The system's PostgreSQL counts per operation, when it has them and completed at least one operation. */
    @SuppressWarnings("unchecked")
    private static Optional<Map<String, Object>> postgresCounts(SystemResult r) {
        return r.measured() && r.details().get(POSTGRES_DETAILS) instanceof Map<?, ?> pg && pg.get("commitsPerOp") instanceof Number
                ? Optional.of((Map<String, Object>) pg) : Optional.empty();
    }

    private static void sweep(StringBuilder md, List<SweepPoint> sweep) {
        Set<String> systems = new LinkedHashSet<>();
        Map<Integer, Map<String, SweepPoint>> byCallers = new java.util.TreeMap<>();
        for (SweepPoint p : sweep) {
            systems.add(p.system());
            byCallers.computeIfAbsent(p.callers(), c -> new LinkedHashMap<>()).put(p.system(), p);
        }
        List<String> peers = systems.stream().filter(s -> !s.equals("sluice")).toList();
        md.append("Caller sweep (ops/s; p99 ms in brackets):\n\n| callers |");
        systems.forEach(s -> md.append(' ').append(s).append(" |"));
        peers.forEach(p -> md.append(" sluice/").append(p).append(" |"));
        md.append("\n|---:|");
        systems.forEach(s -> md.append("---:|"));
        peers.forEach(p -> md.append("---:|"));
        md.append('\n');
        byCallers.forEach((callers, points) -> {
            md.append("| ").append(callers).append(" |");
            for (String s : systems) {
                SweepPoint p = points.get(s);
                md.append(' ').append(p == null ? "" : number(p.opsPerSec(), 0) + " (" + number(p.p99Ms(), 2) + ")").append(" |");
            }
            SweepPoint sluice = points.get("sluice");
            for (String peer : peers) {
                SweepPoint p = points.get(peer);
                md.append(' ').append(sluice == null || p == null || p.opsPerSec() <= 0 ? ""
                        : Ratios.format(sluice.opsPerSec() / p.opsPerSec()) + "×").append(" |");
            }
            md.append('\n');
        });
        md.append("\n![throughput by concurrent callers](").append(SWEEP_CHART).append(")\n\n");
    }

    private static void micro(StringBuilder md, List<MicroResult> micro, boolean quick) {
        md.append("## Microbenchmarks (JMH)\n\n");
        md.append(quick
                ? "Hot paths that need no server, run in the benchmark's own JVM after the load scenarios, with one short iteration "
                        + "each (the quick profile): a rough look, not numbers to quote. The full JMH output is in `jmh.json` and `jmh.log`.\n\n"
                : "Hot paths that need no server, one forked JVM each; the full JMH output is in `jmh.json` and `jmh.log`.\n\n");
        md.append("| benchmark | parameters | threads | score | ± error | unit |\n|---|---|---:|---:|---:|---|\n");
        for (MicroResult r : micro) {
            md.append("| ").append(r.benchmark()).append(" | ")
                    .append(r.params().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", ")))
                    .append(" | ").append(r.threads()).append(" | ").append(number(r.score(), 1))
                    .append(" | ").append(Double.isNaN(r.error()) ? "" : number(r.error(), 1))
                    .append(" | ").append(r.unit()).append(" |\n");
        }
        md.append('\n');
        List<String> ratios = MicroRatios.describe(micro);
        if (!ratios.isEmpty()) {
            ratios.forEach(line -> md.append("- ").append(line).append('\n'));
            md.append('\n');
        }
    }

    private static String number(Number value, int decimals) {
        if (value == null) {
            return "";
        }
        return String.format(Locale.ROOT, "%,." + decimals + "f", value.doubleValue());
    }

    private static String gib(long bytes) {
        return bytes < 0 ? "unknown" : String.format(Locale.ROOT, "%.0f GiB", bytes / (1024.0 * 1024 * 1024));
    }
}
