package dev.sluice.health;

import dev.sluice.pool.config.ConfigException;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Defaults and refusals of the monitor's settings. */
class HealthConfigTest {

    @Test
    void defaultsFollowTheBrief() {
        HealthConfig config = HealthConfig.defaults();
        assertThat(config.interval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.poolDegradedAfter()).isEqualTo(Duration.ofMillis(100));
        assertThat(config.bucketDegradedAfter()).isEqualTo(Duration.ofMillis(50));
        assertThat(config.poolCheckTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.history()).isEqualTo(100);
        assertThat(config.rateWindow()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.rules().names()).isEqualTo(AlertRules.defaults().names());
        assertThat(config.sinks()).hasSize(1);
    }

    @Test
    void aFastIntervalShortensTheDefaultTimeLimitsToFitOneRound() {
        HealthConfig config = HealthConfig.builder().interval(Duration.ofMillis(100)).poolDegradedAfter(Duration.ofMillis(50)).build();
        assertThat(config.poolCheckTimeout()).isEqualTo(Duration.ofMillis(100));
        assertThat(config.bucketCheckTimeout()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void settingsOutsideTheirRangeAreRefusedWithTheirName() {
        assertThatThrownBy(() -> HealthConfig.builder().interval(Duration.ofMillis(50)).build())
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("invalid configuration: health: interval = '50ms': must be a duration of at least 100 ms and at most 1 h");
        assertThatThrownBy(() -> HealthConfig.builder().interval(Duration.ofSeconds(1)).poolCheckTimeout(Duration.ofSeconds(2)).build())
                .hasMessageContaining("health: poolCheckTimeout = '2s': must be from 1ms to the interval (1s)");
        assertThatThrownBy(() -> HealthConfig.builder().bucketCheckTimeout(Duration.ofMillis(40)).build())
                .hasMessageContaining("health: bucketDegradedAfter = '50ms': must be from 0 to bucketCheckTimeout (40ms)");
        assertThatThrownBy(() -> HealthConfig.builder().history(1).build()).hasMessageContaining("health: history = '1'");
        assertThatThrownBy(() -> HealthConfig.builder().rateWindow(Duration.ofSeconds(1)).build())
                .hasMessageContaining("health: rateWindow = '1s': must be at least the interval (5s)");
    }

    @Test
    void everyProblemIsReportedTogether() {
        assertThatThrownBy(() -> HealthConfig.builder().history(1).rateWindow(Duration.ofSeconds(1))
                .poolDegradedAfter(Duration.ofSeconds(3)).build())
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).extracting(p -> p.setting())
                        .containsExactlyInAnyOrder("history", "poolDegradedAfter", "rateWindow"))
                .hasMessageStartingWith("invalid configuration (3 problems):");
    }
}
