package dev.sluice.bench;

import dev.sluice.bench.jmh.JmhSuite;
import dev.sluice.bench.report.BenchResults;
import dev.sluice.bench.report.GoalCheck;
import dev.sluice.bench.report.MachineInfo;
import dev.sluice.bench.report.MarkdownReport;
import dev.sluice.bench.report.MicroResult;
import dev.sluice.bench.report.ResultsJson;
import dev.sluice.bench.report.ScenarioResult;
import dev.sluice.bench.scenario.Scenario;
import dev.sluice.bench.scenario.ScenarioContext;
import dev.sluice.bench.scenario.Scenarios;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ./run bench}: runs the selected load scenarios (Sluice and its peers side by side against real servers),
 * then the JMH benchmarks, and writes {@code results.json}, {@code report.md} and {@code caller-sweep.png}.
 *
 * <p>Exit status: 0 when everything ran (whether or not the goals were met: they are measurements, not tests), 2 for
 * a bad command line, 1 when a scenario failed.
 */
public final class Bench {

    private Bench() {
    }

    /** Entry point; see {@link BenchOptions#USAGE}. */
    public static void main(String[] args) throws Exception {
        if (java.util.Arrays.asList(args).contains("--help") || java.util.Arrays.asList(args).contains("-h")) {
            System.out.print(BenchOptions.USAGE);
            return;
        }
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.err.print(BenchOptions.USAGE);
            System.exit(2);
            return;
        }
        System.exit(run(options));
    }

    /** Runs the benchmark described by {@code options}; returns the exit status. */
    public static int run(BenchOptions options) throws Exception {
        Progress progress = Progress.console();
        Instant start = Instant.now();
        Path output = options.output().toAbsolutePath();
        progress.line("sluice bench: " + options.mode() + " mode, scenarios " + options.scenarios() + ", results in " + output);
        List<ScenarioResult> results = new ArrayList<>();
        List<MicroResult> micro = List.of();
        int status = 0;
        try (ScenarioContext context = new ScenarioContext(options, progress, System.getenv())) {
            for (Scenario scenario : Scenarios.select(options.scenarios())) {
                progress.scenario(scenario.name(), scenario.title());
                Instant scenarioStart = Instant.now();
                try {
                    results.add(scenario.run(context));
                    progress.line(scenario.name() + " took " + Duration.between(scenarioStart, Instant.now()).toSeconds() + " s");
                } catch (Exception e) {
                    status = 1;
                    progress.line("scenario " + scenario.name() + " failed: " + e);
                    e.printStackTrace();
                }
                write(options, context, start, results, micro);
            }
            if (options.runs("jmh")) {
                progress.scenario("jmh", "microbenchmarks of the hot paths, without servers");
                Instant jmhStart = Instant.now();
                try {
                    micro = JmhSuite.run(options.quick(), output, progress);
                    progress.line("jmh took " + Duration.between(jmhStart, Instant.now()).toSeconds() + " s");
                } catch (Exception e) {
                    status = 1;
                    progress.line("jmh failed: " + e);
                }
            }
            write(options, context, start, results, micro);
        }
        progress.line("");
        for (ScenarioResult r : results) {
            for (GoalCheck g : r.goals()) {
                progress.line(String.format(java.util.Locale.ROOT, "%-16s %-40s %-28s goal %-22s %s", r.name(), g.name(), g.measured(), g.goal(),
                        g.met() == null ? "n/a" : g.met() ? "met" : "NOT met"));
            }
        }
        progress.line("");
        progress.line("report:  " + output.resolve("report.md"));
        progress.line("results: " + output.resolve("results.json"));
        progress.line("took " + Duration.between(start, Instant.now()).toSeconds() + " s");
        return status;
    }

    private static void write(BenchOptions options, ScenarioContext context, Instant start, List<ScenarioResult> results,
                              List<MicroResult> micro) throws java.io.IOException {
        MachineInfo machine = MachineInfo.probe(context.postgresVersion(), context.natsVersion(), start);
        BenchResults all = new BenchResults(machine, options.mode(), results, micro);
        Path output = options.output().toAbsolutePath();
        ResultsJson.write(all, output.resolve("results.json"));
        MarkdownReport.write(all, output.resolve("report.md"));
    }
}
