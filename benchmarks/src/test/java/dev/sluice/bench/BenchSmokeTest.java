package dev.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The benchmark runs end to end in its quick profile on one short scenario against real servers, and writes the
 * documented files. A smoke test: it checks the shape and that something was measured, never how fast.
 */
class BenchSmokeTest {

    @Test
    void quickKvScenarioWritesTheDocumentedResults(@TempDir Path output) throws Exception {
        int status = Bench.run(BenchOptions.parse("--quick", "--scenario", "kv", "--duration", "1s", "--warmup", "500ms",
                "--output", output.toString()));

        assertThat(status).isZero();
        JsonNode results = new ObjectMapper().readTree(output.resolve("results.json").toFile());
        assertThat(results.path("machine").path("cores").asInt()).isPositive();
        assertThat(results.path("machine").path("natsServer").asText()).isNotBlank();
        JsonNode kv = results.path("scenarios").get(0);
        assertThat(kv.path("name").asText()).isEqualTo("kv");
        assertThat(kv.path("systems")).extracting(s -> s.path("name").asText()).containsExactlyInAnyOrder("sluice", "jnats");
        for (JsonNode system : kv.path("systems")) {
            assertThat(system.path("opsPerSec").asDouble()).as("%s throughput", system.path("name").asText()).isPositive();
            assertThat(system.has("p99Ms")).isTrue();
            assertThat(system.has("peakThreads")).isTrue();
        }
        assertThat(kv.path("ratios").has("sluice/jnats")).isTrue();
        assertThat(Files.readString(output.resolve("report.md"))).contains("sluice/jnats");
    }
}
