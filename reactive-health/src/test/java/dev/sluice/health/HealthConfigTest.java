package dev.sluice.health;

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
                .hasMessage("interval is 50 ms; it must be from 100 ms to 1 h");
        assertThatThrownBy(() -> HealthConfig.builder().interval(Duration.ofSeconds(1)).poolCheckTimeout(Duration.ofSeconds(2)).build())
                .hasMessageStartingWith("poolCheckTimeout is 2000 ms; it must be from 1 ms to the interval (1000 ms)");
        assertThatThrownBy(() -> HealthConfig.builder().bucketCheckTimeout(Duration.ofMillis(40)).build())
                .hasMessage("bucketDegradedAfter is 50 ms; it must be from 0 to bucketCheckTimeout (40 ms)");
        assertThatThrownBy(() -> HealthConfig.builder().history(1).build()).hasMessageStartingWith("history is 1");
        assertThatThrownBy(() -> HealthConfig.builder().rateWindow(Duration.ofSeconds(1)).build())
                .hasMessageStartingWith("rateWindow is 1000 ms; it must be from the interval (5000 ms)");
    }
}
