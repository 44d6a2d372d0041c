package dev.sluice.health;

import dev.sluice.pool.BreakerState;
import dev.sluice.pool.PoolRole;
import dev.sluice.pool.PoolStats;

import java.time.Duration;
import java.time.Instant;

/**
 * A PostgreSQL pool at one sampling round.
 *
 * <p>Sizes and counters are the pool's as the round began, before the round's check. Rates and means cover the monitor's rate window
 * ({@link HealthConfig#rateWindow()}), from the oldest sample of the window to this one; the health check's own
 * acquires are among them.
 *
 * @param id               see {@link HealthSample#id()}
 * @param round            see {@link HealthSample#round()}
 * @param at               see {@link HealthSample#at()}
 * @param subject          the pool
 * @param role             the pool's role
 * @param check            this round's {@code SELECT 1}
 * @param allocated        connections open
 * @param active           connections in use
 * @param idle             connections idle
 * @param pending          callers waiting for a connection
 * @param max              the pool's maximum size
 * @param utilisation      {@code active / max}, 0 to 1; 1 while callers wait (a connection changing hands between two
 *                         callers, or being opened for one, is not spare capacity)
 * @param acquireP95       95th percentile of the acquire wait since the pool started
 * @param acquireMean      mean acquire wait in the rate window ({@link Duration#ZERO} when there was no acquire)
 * @param acquires         successful acquires in the rate window
 * @param errors           failed acquires since the pool started (timeouts, rejections, connection errors)
 * @param errorRate        failed acquires ÷ acquire attempts in the rate window, 0 to 1 (0 without attempts)
 * @param attempts         acquire attempts in the rate window (the basis of {@code errorRate})
 * @param checkSuccessRate see {@link HealthSample#checkSuccessRate()}
 * @param checks           see {@link HealthSample#checks()}
 * @param breakerState     the pool's circuit-breaker state
 * @param stats            the pool's full statistics snapshot
 */
public record PoolSample(long id, long round, Instant at, Subject subject, PoolRole role, CheckResult check,
                         int allocated, int active, int idle, int pending, int max, double utilisation,
                         Duration acquireP95, Duration acquireMean, long acquires,
                         long errors, double errorRate, long attempts,
                         double checkSuccessRate, int checks, BreakerState breakerState, PoolStats stats) implements HealthSample {
}
