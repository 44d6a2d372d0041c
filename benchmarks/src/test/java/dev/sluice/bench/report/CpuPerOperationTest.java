package dev.sluice.bench.report;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CpuPerOperationTest {

    private static SystemResult system(String name, Map<String, Object> details) {
        return new SystemResult(name, 1000.0, 1.0, 2.0, 3.0, 0L, 20, 1L, null, details);
    }

    @Test
    void namesEverySystemThatHasTheNumber() {
        List<SystemResult> results = List.of(
                system("sluice", Map.of(CpuPerOperation.DETAIL, 30.94)),
                system("r2dbc-pool", Map.of(CpuPerOperation.DETAIL, 38.2)),
                system("pgbench", Map.of()));

        assertThat(CpuPerOperation.describe(results)).hasValueSatisfying(note ->
                assertThat(note).contains("sluice 30.9 µs, r2dbc-pool 38.2 µs").doesNotContain("pgbench"));
    }

    @Test
    void saysNothingWithoutTwoSystemsToCompare() {
        assertThat(CpuPerOperation.describe(List.of(system("sluice", Map.of(CpuPerOperation.DETAIL, 30.0)), system("pgbench", Map.of()))))
                .isEmpty();
    }
}
