package dev.sluice.bench.report;

import java.util.Map;
import java.util.Objects;

/**
 * One JMH result: a benchmark method with its parameters and threads, its score and error.
 *
 * @param benchmark the benchmark, as {@code Class.method}
 * @param params    the JMH parameters, by name
 * @param threads   threads that ran it at once
 * @param score     the score in {@code unit}
 * @param error     the 99.9% confidence half-width JMH reports (NaN with a single iteration)
 * @param unit      such as {@code ns/op}
 */
public record MicroResult(String benchmark, Map<String, String> params, int threads, double score, double error, String unit) {

    public MicroResult {
        Objects.requireNonNull(benchmark, "benchmark");
        params = params == null ? Map.of() : Map.copyOf(params);
        Objects.requireNonNull(unit, "unit");
    }
}
