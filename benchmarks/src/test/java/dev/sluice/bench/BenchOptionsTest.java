package dev.sluice.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BenchOptionsTest {

    @Test
    void defaultsRunEveryScenarioWithTheFullProfile() {
        BenchOptions o = BenchOptions.parse();

        assertThat(o.scenarios()).containsExactly("pool-round-trip", "app", "callers-10k", "kv", "health-overhead", "saga", "restart", "jmh");
        assertThat(o.duration()).isEqualTo(Duration.ofSeconds(10));
        assertThat(o.warmup()).isEqualTo(Duration.ofSeconds(3));
        assertThat(o.rounds()).isEqualTo(2);
        assertThat(o.firstWarmup()).isEqualTo(Duration.ofSeconds(6));
        assertThat(o.firstWarmupTimes(5)).isEqualTo(Duration.ofSeconds(30));
        assertThat(o.priming()).isEqualTo(Duration.ofSeconds(6));
        assertThat(o.callersOr(64)).isEqualTo(64);
        assertThat(o.output()).isEqualTo(Path.of("target", "bench"));
        assertThat(o.mode()).isEqualTo("full");
    }

    @Test
    void quickShortensEveryWindowAndRunsOneRound() {
        BenchOptions o = BenchOptions.parse("--quick");

        assertThat(o.duration()).isEqualTo(Duration.ofSeconds(2));
        assertThat(o.warmup()).isEqualTo(Duration.ofSeconds(1));
        assertThat(o.sweepWarmup()).isEqualTo(Duration.ofMillis(200));
        assertThat(o.sweepDuration()).isEqualTo(Duration.ofMillis(400));
        assertThat(o.firstWarmup()).isEqualTo(Duration.ofSeconds(2));
        assertThat(o.firstWarmupTimes(5)).isEqualTo(Duration.ofSeconds(10));
        assertThat(o.priming()).isEqualTo(Duration.ofSeconds(4));
        assertThat(o.rounds()).isEqualTo(1);
        assertThat(o.mode()).isEqualTo("quick");
    }

    @Test
    void overridesApplyToTheSelectedScenarios() {
        BenchOptions o = BenchOptions.parse("--scenario", "kv,pool-round-trip", "--scenario", "kv", "--duration", "500ms",
                "--callers", "128", "--pool-size", "4", "--rounds", "3", "--output", "/tmp/b");

        assertThat(o.scenarios()).containsExactly("kv", "pool-round-trip");
        assertThat(o.runs("jmh")).isFalse();
        assertThat(o.duration()).isEqualTo(Duration.ofMillis(500));
        assertThat(o.sweepDuration()).isEqualTo(Duration.ofMillis(500));
        assertThat(o.callersOr(64)).isEqualTo(128);
        assertThat(o.poolSizeOr(8)).isEqualTo(4);
        assertThat(o.rounds()).isEqualTo(3);
        assertThat(o.output()).isEqualTo(Path.of("/tmp/b"));
        assertThat(o.mode()).isEqualTo("full+overrides");
        assertThat(BenchOptions.parse("--warmup", "4s").firstWarmupTimes(5)).as("--warmup sets every warm-up").isEqualTo(Duration.ofSeconds(4));
    }

    @Test
    void readsDurationsInSecondsMillisecondsAndMinutes() {
        assertThat(BenchOptions.duration("2.5s", "--duration")).isEqualTo(Duration.ofMillis(2500));
        assertThat(BenchOptions.duration("7", "--duration")).isEqualTo(Duration.ofSeconds(7));
        assertThat(BenchOptions.duration("1m", "--duration")).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void refusesWhatItCannotUseNamingTheArgument() {
        assertThatThrownBy(() -> BenchOptions.parse("--scenario", "sagas")).hasMessageContaining("--scenario sagas")
                .hasMessageContaining("pool-round-trip");
        assertThatThrownBy(() -> BenchOptions.parse("--callers", "0")).hasMessageContaining("--callers 0");
        assertThatThrownBy(() -> BenchOptions.parse("--duration", "fast")).hasMessageContaining("--duration fast");
        assertThatThrownBy(() -> BenchOptions.parse("--duration", "0")).hasMessageContaining("--duration");
        assertThatThrownBy(() -> BenchOptions.parse("--pool-size")).hasMessageContaining("--pool-size needs a value");
        assertThatThrownBy(() -> BenchOptions.parse("--fast")).hasMessageContaining("'--fast'");
    }
}
