package dev.sluice.health;

import java.time.Duration;
import java.util.Optional;

/**
 * Where a pool's utilisation is heading, fitted by least squares over its history, for capacity planning.
 *
 * @param subject          the pool
 * @param samples          samples fitted
 * @param span             time from the first to the last sample fitted
 * @param utilisation      the latest utilisation, 0 to 1
 * @param slopePerMinute   change of utilisation per minute (0.05 is five percentage points a minute)
 * @param timeToExhaustion when the slope is positive: how long until utilisation reaches 100% at that slope
 *                         ({@link Duration#ZERO} when it is there already); empty when flat or falling
 */
public record Trend(Subject subject, int samples, Duration span, double utilisation, double slopePerMinute,
                   Optional<Duration> timeToExhaustion) {
}
