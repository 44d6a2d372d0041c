package dev.sluice.health.internal;

import dev.sluice.health.HealthSample;
import dev.sluice.health.Subject;
import dev.sluice.health.TestSamples;
import dev.sluice.health.Trend;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The utilisation trend: slope per minute and projected time to exhaustion. */
class TrendFitTest {

    private static List<HealthSample> utilisationEvery10s(double... values) {
        List<HealthSample> samples = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            samples.add(TestSamples.pool("p").utilisation(values[i]).at(Instant.ofEpochSecond(10L * i)).build());
        }
        return samples;
    }

    @Test
    void aSteadyRiseProjectsWhenThePoolRunsOut() {
        Trend trend = TrendFit.of(Subject.pool("p"), utilisationEvery10s(0.10, 0.12, 0.14, 0.16, 0.18, 0.20, 0.22)).orElseThrow();
        assertThat(trend.slopePerMinute()).isCloseTo(0.12, within(1e-9));
        assertThat(trend.samples()).isEqualTo(7);
        assertThat(trend.span()).isEqualTo(Duration.ofMinutes(1));
        assertThat(trend.utilisation()).isEqualTo(0.22);
        assertThat(trend.timeToExhaustion()).as("0.78 to go at 0.12 a minute").contains(Duration.ofMillis(390_000));
    }

    @Test
    void aFlatOrFallingPoolNeverRunsOutAndAFullOneAlreadyHas() {
        assertThat(TrendFit.of(Subject.pool("p"), utilisationEvery10s(0.5, 0.5, 0.5)).orElseThrow().timeToExhaustion()).isEmpty();
        assertThat(TrendFit.of(Subject.pool("p"), utilisationEvery10s(0.9, 0.6, 0.3)).orElseThrow().slopePerMinute()).isNegative();
        assertThat(TrendFit.of(Subject.pool("p"), utilisationEvery10s(0.8, 0.9, 1.0)).orElseThrow().timeToExhaustion()).contains(Duration.ZERO);
    }

    @Test
    void oneSampleIsNoTrend() {
        assertThat(TrendFit.of(Subject.pool("p"), utilisationEvery10s(0.5))).isEmpty();
    }
}
