package dev.sluice.health.internal;

import dev.sluice.health.HealthSample;
import dev.sluice.health.SampleMetric;
import dev.sluice.health.Subject;
import dev.sluice.health.Trend;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Least-squares line through a pool's utilisation ({@link SampleMetric#POOL_UTILISATION}) over time. */
public final class TrendFit {

    private TrendFit() {
    }

    /** The trend of {@code history} (oldest first); empty with fewer than two pool samples or no time between them. */
    public static Optional<Trend> of(Subject subject, List<HealthSample> history) {
        List<HealthSample> pools = history.stream().filter(s -> SampleMetric.POOL_UTILISATION.read(s).isPresent()).toList();
        if (pools.size() < 2) {
            return Optional.empty();
        }
        long origin = pools.get(0).at().toEpochMilli();
        double n = pools.size();
        double sumX = 0;
        double sumY = 0;
        for (HealthSample s : pools) {
            sumX += minutes(s, origin);
            sumY += utilisation(s);
        }
        double meanX = sumX / n;
        double meanY = sumY / n;
        double covariance = 0;
        double variance = 0;
        for (HealthSample s : pools) {
            double dx = minutes(s, origin) - meanX;
            covariance += dx * (utilisation(s) - meanY);
            variance += dx * dx;
        }
        if (variance == 0) {
            return Optional.empty();
        }
        double slope = covariance / variance;
        HealthSample latest = pools.get(pools.size() - 1);
        Duration span = Duration.between(pools.get(0).at(), latest.at());
        return Optional.of(new Trend(subject, pools.size(), span, utilisation(latest), slope, exhaustion(utilisation(latest), slope)));
    }

    private static Optional<Duration> exhaustion(double utilisation, double slopePerMinute) {
        if (utilisation >= 1.0) {
            return Optional.of(Duration.ZERO);
        }
        if (slopePerMinute <= 1e-9) {
            return Optional.empty();
        }
        double minutes = (1.0 - utilisation) / slopePerMinute;
        return Optional.of(Duration.ofMillis(Math.round(Math.min(minutes, 1e9) * 60_000)));
    }

    private static double utilisation(HealthSample sample) {
        return SampleMetric.POOL_UTILISATION.read(sample).orElseThrow().value();
    }

    private static double minutes(HealthSample sample, long originMillis) {
        return (sample.at().toEpochMilli() - originMillis) / 60_000.0;
    }
}
