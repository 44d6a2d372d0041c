package dev.sluice.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ResultsJsonTest {

    @Test
    void machineHasTheDocumentedFields() {
        JsonNode machine = ResultsJson.toJson(Fixtures.results()).get("machine");

        assertThat(fieldNames(machine)).contains("cores", "memoryBytes", "jdk", "postgres", "natsServer", "date");
        assertThat(machine.get("cores").asInt()).isEqualTo(2);
        assertThat(machine.get("natsServer").asText()).isEqualTo("2.9.10");
    }

    @Test
    void everySystemHasTheDocumentedFieldsAndSkippedOnesSayWhy() {
        JsonNode scenario = ResultsJson.toJson(Fixtures.results()).get("scenarios").get(0);

        assertThat(scenario.get("name").asText()).isEqualTo("pool-round-trip");
        List<String> names = new ArrayList<>();
        for (JsonNode system : scenario.get("systems")) {
            names.add(system.get("name").asText());
            assertThat(fieldNames(system)).contains("name", "opsPerSec", "p50Ms", "p99Ms", "maxMs", "errors", "peakThreads", "heapBytes");
        }
        assertThat(names).containsExactly("sluice", "r2dbc-pool", "hikaricp", "pgbench");
        JsonNode sluice = scenario.get("systems").get(0);
        assertThat(sluice.get("opsPerSec").asDouble()).isEqualTo(21_000.0);
        assertThat(sluice.get("p99Ms").asDouble()).isEqualTo(4.25);
        assertThat(sluice.has("skipped")).isFalse();
        JsonNode pgbench = scenario.get("systems").get(3);
        assertThat(pgbench.get("skipped").asText()).isEqualTo("pgbench not found");
        assertThat(pgbench.get("opsPerSec").isNull()).isTrue();
    }

    @Test
    void ratiosAreSluiceOverEachMeasuredPeer() {
        JsonNode ratios = ResultsJson.toJson(Fixtures.results()).get("scenarios").get(0).get("ratios");

        assertThat(fieldNames(ratios)).containsExactly("sluice/r2dbc-pool", "sluice/hikaricp");
        assertThat(ratios.get("sluice/r2dbc-pool").asDouble()).isEqualTo(1.05);
        assertThat(ratios.get("sluice/hikaricp").asDouble()).isEqualTo(0.7);
    }

    @Test
    void aSkippedScenarioKeepsItsSystemsWithTheReasonAndNoRatios() {
        JsonNode health = ResultsJson.toJson(Fixtures.results()).get("scenarios").get(1);

        assertThat(health.get("name").asText()).isEqualTo("health-overhead");
        assertThat(health.get("systems").findValuesAsText("name")).containsExactly("sluice", "sluice-health-off");
        assertThat(health.get("systems").findValuesAsText("skipped")).containsOnly("reactive-health not built in this branch");
        assertThat(health.get("ratios").size()).isZero();
    }

    @Test
    void writesAFileThatReadsBack(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bench/results.json");

        ResultsJson.write(Fixtures.results(), file);

        assertThat(ResultsJson.read(file).get("scenarios").size()).isEqualTo(2);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
