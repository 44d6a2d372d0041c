package dev.sluice.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The benchmark JVM's CPU time per successful operation of each system in its windows ({@code jvmCpuMicrosPerOp} in
 * a result's details), as one sentence for a scenario's notes. On a shared machine it moves less than throughput:
 * a turn during which other processes take the cores gets fewer operations done, but each costs about the same.
 */
public final class CpuPerOperation {

    /** The detail the load scenarios record. */
    public static final String DETAIL = "jvmCpuMicrosPerOp";

    private CpuPerOperation() {
    }

    /** The sentence, or empty when fewer than two systems have the number (a child process, such as pgbench, has none). */
    public static Optional<String> describe(List<SystemResult> results) {
        List<String> parts = new ArrayList<>();
        for (SystemResult r : results) {
            if (r.details().get(DETAIL) instanceof Number micros) {
                parts.add(String.format(Locale.ROOT, "%s %.1f µs", r.name(), micros.doubleValue()));
            }
        }
        if (parts.size() < 2) {
            return Optional.empty();
        }
        return Optional.of("CPU of the benchmark JVM per operation in the windows (load generator, JIT and collector "
                + "included, the same for every system; the server's CPU is not in it): " + String.join(", ", parts)
                + ". On this shared machine it moves less from turn to turn than throughput does.");
    }
}
