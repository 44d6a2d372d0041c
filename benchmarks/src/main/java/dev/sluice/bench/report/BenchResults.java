package dev.sluice.bench.report;

import java.util.List;
import java.util.Objects;

/**
 * Everything one run of {@code ./run bench} measured.
 *
 * @param machine   the machine and servers
 * @param mode      {@code full}, {@code quick}, or {@code custom} when durations were overridden
 * @param scenarios the load scenarios, in the order they ran
 * @param micro     the JMH results (empty when JMH was not run)
 */
public record BenchResults(MachineInfo machine, String mode, List<ScenarioResult> scenarios, List<MicroResult> micro) {

    public BenchResults {
        Objects.requireNonNull(machine, "machine");
        Objects.requireNonNull(mode, "mode");
        scenarios = List.copyOf(scenarios);
        micro = micro == null ? List.of() : List.copyOf(micro);
    }
}
