package dev.sluice.bench.jmh;

import dev.sluice.bench.Progress;
import dev.sluice.bench.report.MicroResult;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs the JMH benchmarks of this package through JMH's own runner, writing JMH's JSON to {@code jmh.json} and its
 * console output to {@code jmh.log}. The default profile uses the benchmarks' annotations: each benchmark in a forked
 * JVM of its own, 2 warm-up and 3 measured iterations of 1 s. The quick one runs every benchmark in this JVM (JMH's
 * {@code -f 0}: seventeen JVM starts would take longer than the measurements), one warm-up iteration of 150 ms and
 * one measured iteration of 250 ms, so JMH reports no error; its numbers are a rough look, coloured by whatever ran in
 * this JVM before.
 */
public final class JmhSuite {

    private static final List<Class<?>> BENCHMARKS = List.of(PoolAcquireBenchmark.class, SqlErrorClassifierBenchmark.class,
            AlertRulesBenchmark.class);

    private JmhSuite() {
    }

    /**
     * Runs every benchmark. Blocking.
     *
     * @return one result per benchmark method, parameter set and thread count
     * @throws RunnerException when a benchmark fails
     */
    public static List<MicroResult> run(boolean quick, Path output, Progress progress) throws RunnerException, IOException {
        Files.createDirectories(output);
        Path json = output.resolve("jmh.json");
        Path log = output.resolve("jmh.log");
        ChainedOptionsBuilder options = new OptionsBuilder()
                .resultFormat(ResultFormatType.JSON)
                .result(json.toString())
                .shouldFailOnError(true);
        BENCHMARKS.forEach(b -> options.include("^" + b.getName().replace(".", "\\.") + "\\."));
        if (quick) {
            options.forks(0)
                    .warmupIterations(1).warmupTime(TimeValue.milliseconds(150))
                    .measurementIterations(1).measurementTime(TimeValue.milliseconds(250));
        }
        progress.line("jmh: " + (quick ? "quick profile, every benchmark in this JVM" : "default profile, one forked JVM per benchmark")
                + "; JMH's output: " + log.toAbsolutePath());
        Collection<RunResult> results;
        try (PrintStream out = new PrintStream(Files.newOutputStream(log), true, StandardCharsets.UTF_8)) {
            results = new Runner(options.build(), OutputFormatFactory.createFormatInstance(out, VerboseMode.NORMAL)).run();
        }
        List<MicroResult> micro = new ArrayList<>();
        for (RunResult r : results) {
            BenchmarkParams params = r.getParams();
            Map<String, String> values = new LinkedHashMap<>();
            for (String key : params.getParamsKeys()) {
                values.put(key, params.getParam(key));
            }
            String name = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.', params.getBenchmark().lastIndexOf('.') - 1) + 1);
            MicroResult m = new MicroResult(name, values, params.getThreads(), r.getPrimaryResult().getScore(),
                    r.getPrimaryResult().getScoreError(), r.getPrimaryResult().getScoreUnit());
            micro.add(m);
            progress.line(String.format(Locale.ROOT, "jmh: %s %s, %d thread(s): %.1f %s", m.benchmark(), values, m.threads(), m.score(), m.unit()));
        }
        progress.line("jmh: results in " + json.toAbsolutePath());
        return micro;
    }
}
