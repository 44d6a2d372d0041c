package dev.sluice.pool;

import java.time.Duration;
import java.util.List;

/**
 * A snapshot of one pool's state and counters since it was created.
 *
 * @param pool                  the pool's name
 * @param role                  the pool's role
 * @param allocated             connections open (in use plus idle)
 * @param acquired              connections in use
 * @param idle                  connections idle in the pool
 * @param pending               callers waiting for a connection
 * @param max                   the pool's maximum size
 * @param created               connections opened
 * @param reused                acquires served by an idle connection
 * @param closed                connections closed
 * @param recycled              connections closed after {@code recycleAfterUses} uses
 * @param expired               connections closed at the end of their lifetime
 * @param idleEvicted           idle connections closed above the minimum
 * @param validationFailures    connections that failed validation on checkout (never handed out)
 * @param acquireCount          successful acquires
 * @param acquireTimeouts       acquires that gave up on the acquire timeout
 * @param acquireRejections     acquires refused because {@code maxPendingAcquires} callers were waiting
 * @param acquireErrors         acquires that failed otherwise (for example the server refused to connect)
 * @param acquireLatency        the successful acquires' waits: count, median, 95th and 99th percentiles, slowest
 * @param leaks                 connections reported as leaked
 * @param recentLeaks           the latest leak reports (at most 20)
 * @param retries               retries by the class of the failure that caused them
 * @param breakerState          the circuit breaker's state
 * @param acquireTime           time waited by all successful acquires together; with {@code acquireCount} it gives the
 *                              mean wait over any interval between two snapshots
 * @param connectAttempts       attempts to open a server connection (an acquire that rides out a restart makes several)
 * @param connectFailures       attempts to open a server connection that failed
 */
public record PoolStats(
        String pool, PoolRole role,
        int allocated, int acquired, int idle, int pending, int max,
        long created, long reused, long closed, long recycled, long expired, long idleEvicted, long validationFailures,
        long acquireCount, long acquireTimeouts, long acquireRejections, long acquireErrors,
        LatencySummary acquireLatency,
        long leaks, List<LeakReport> recentLeaks, java.util.Map<ErrorClass, Long> retries, BreakerState breakerState,
        Duration acquireTime, long connectAttempts, long connectFailures) {

    /** Failed acquires of every kind. */
    public long errors() {
        return acquireTimeouts + acquireRejections + acquireErrors;
    }

    /** Share of acquires served by an already open connection, 0 to 1 (0 before the first acquire). */
    public double reuseRatio() {
        return acquireCount == 0 ? 0 : Math.min(1.0, (double) reused / acquireCount);
    }

    /** Share of acquires that succeeded, 0 to 1 (1 before the first acquire). */
    public double acquisitionSuccessRate() {
        long attempts = acquireCount + errors();
        return attempts == 0 ? 1.0 : (double) acquireCount / attempts;
    }

    /**
     * Share of checkout validations that passed, 0 to 1 (1 before the first): every handed-out connection
     * passed one, every failure discarded a connection.
     */
    public double validationPassRate() {
        long validations = acquireCount + validationFailures;
        return validations == 0 ? 1.0 : (double) acquireCount / validations;
    }

    /** Mean wait of the successful acquires since the pool started ({@link Duration#ZERO} before the first). */
    public Duration acquireMean() {
        return acquireCount == 0 ? Duration.ZERO : acquireTime.dividedBy(acquireCount);
    }

    /** Share of the maximum in use, 0 to 1. */
    public double utilisation() {
        return max == 0 ? 0 : (double) acquired / max;
    }
}
