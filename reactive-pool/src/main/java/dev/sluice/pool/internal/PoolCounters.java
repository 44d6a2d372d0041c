package dev.sluice.pool.internal;

import dev.sluice.pool.BreakerState;
import dev.sluice.pool.ErrorClass;
import dev.sluice.pool.LatencySummary;
import dev.sluice.pool.LeakReport;
import dev.sluice.pool.PoolRole;
import dev.sluice.pool.PoolStats;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import reactor.pool.PoolMetricsRecorder;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters and the acquire-latency histogram of one pool. Written from any thread without locks
 * ({@link LongAdder}, HdrHistogram's {@link Recorder}); read as a snapshot.
 *
 * <p>It is also reactor-pool's {@link PoolMetricsRecorder}, which tells it about destroyed connections and
 * the fast (idle connection reused) and slow (new connection needed) acquire paths.
 */
public final class PoolCounters implements PoolMetricsRecorder {

    private static final long MAX_TRACKED_NANOS = TimeUnit.HOURS.toNanos(1);

    private final LongAdder created = new LongAdder();
    private final LongAdder closed = new LongAdder();
    private final LongAdder reused = new LongAdder();
    private final LongAdder recycled = new LongAdder();
    private final LongAdder expired = new LongAdder();
    private final LongAdder idleEvicted = new LongAdder();
    private final LongAdder validationFailures = new LongAdder();
    private final LongAdder acquired = new LongAdder();
    private final LongAdder acquireTimeouts = new LongAdder();
    private final LongAdder acquireRejections = new LongAdder();
    private final LongAdder acquireErrors = new LongAdder();
    private final LongAdder leaks = new LongAdder();
    private final LongAdder acquireNanos = new LongAdder();
    private final LongAdder connectAttempts = new LongAdder();
    private final LongAdder connectFailures = new LongAdder();
    private final EnumMap<ErrorClass, LongAdder> retries = new EnumMap<>(ErrorClass.class);
    private final Recorder acquireLatency = new Recorder(MAX_TRACKED_NANOS, 2);
    private final Histogram acquireLatencyTotal = new Histogram(MAX_TRACKED_NANOS, 2);
    private volatile ConnectError lastConnectFailure;

    public PoolCounters() {
        for (ErrorClass kind : ErrorClass.values()) {
            retries.put(kind, new LongAdder());
        }
    }

    /** The error of a failed attempt to connect, and when it came ({@link System#nanoTime()}). */
    public record ConnectError(Throwable error, long atNanos) {
    }

    /** A server connection was opened (and its after-connect hooks succeeded). */
    public void connectionCreated() {
        created.increment();
    }

    /** An attempt to open a server connection began. */
    public void connectAttempted() {
        connectAttempts.increment();
    }

    /** Counts a failed attempt to connect and keeps its error as the latest. */
    public void connectFailed(Throwable error) {
        connectFailures.increment();
        lastConnectFailure = new ConnectError(error, System.nanoTime());
    }

    /** The latest failed attempt to connect, or {@code null} when none failed. */
    public ConnectError lastConnectFailure() {
        return lastConnectFailure;
    }

    /** A connection was closed after its allowed number of uses. */
    public void connectionRecycled() {
        recycled.increment();
    }

    /** A connection was closed at the end of its lifetime. */
    public void connectionExpired() {
        expired.increment();
    }

    /** An idle connection above the minimum was closed. */
    public void connectionIdleEvicted() {
        idleEvicted.increment();
    }

    /** A connection failed validation on checkout. */
    public void validationFailed() {
        validationFailures.increment();
    }

    /** An acquire gave up on its timeout. */
    public void acquireTimedOut() {
        acquireTimeouts.increment();
    }

    /** An acquire was refused because too many callers were waiting. */
    public void acquireRejected() {
        acquireRejections.increment();
    }

    /** An acquire failed otherwise. */
    public void acquireFailed() {
        acquireErrors.increment();
    }

    /** A connection was reported as leaked. */
    public void leakReported() {
        leaks.increment();
    }

    /** Counts one retry caused by a failure of this class. */
    public void retried(ErrorClass kind) {
        retries.get(kind).increment();
    }

    /** Records one successful acquire that waited {@code nanos}. */
    public void recordAcquire(long nanos) {
        acquired.increment();
        acquireNanos.add(Math.max(nanos, 0));
        acquireLatency.recordValue(Math.min(Math.max(nanos, 0), MAX_TRACKED_NANOS));
    }

    /**
     * The pool's statistics: these counters with the pool's current sizes, as reactor-pool reports them, its latest
     * leak reports and its breaker's state.
     */
    public PoolStats snapshot(String pool, PoolRole role, int allocated, int inUse, int idle, int pending, int max,
                              List<LeakReport> recentLeaks, BreakerState breaker) {
        Histogram latency = acquireLatencySnapshot();
        LatencySummary acquires = new LatencySummary(latency.getTotalCount(), percentile(latency, 50), percentile(latency, 95),
                percentile(latency, 99), Duration.ofNanos(latency.getTotalCount() == 0 ? 0 : latency.getMaxValue()));
        return new PoolStats(pool, role, allocated, inUse, idle, pending, max,
                created.sum(), reused.sum(), closed.sum(), recycled.sum(), expired.sum(), idleEvicted.sum(), validationFailures.sum(),
                acquired.sum(), acquireTimeouts.sum(), acquireRejections.sum(), acquireErrors.sum(), acquires,
                leaks.sum(), recentLeaks, retries(), breaker, Duration.ofNanos(acquireNanos.sum()),
                connectAttempts.sum(), connectFailures.sum());
    }

    /** Retries so far by the class of the failure that caused them (classes never retried are left out). */
    private Map<ErrorClass, Long> retries() {
        Map<ErrorClass, Long> snapshot = new EnumMap<>(ErrorClass.class);
        retries.forEach((kind, count) -> {
            if (count.sum() > 0) {
                snapshot.put(kind, count.sum());
            }
        });
        return Collections.unmodifiableMap(snapshot);
    }

    private synchronized Histogram acquireLatencySnapshot() {
        acquireLatencyTotal.add(acquireLatency.getIntervalHistogram());
        return acquireLatencyTotal.copy();
    }

    private static Duration percentile(Histogram histogram, double percentile) {
        return Duration.ofNanos(histogram.getTotalCount() == 0 ? 0 : histogram.getValueAtPercentile(percentile));
    }

    @Override
    public void recordAllocationSuccessAndLatency(long latencyMs) {
        // counted in ServerConnections, after the after-connect hooks succeeded
    }

    @Override
    public void recordAllocationFailureAndLatency(long latencyMs) {
        // each failed attempt is counted in ServerConnections (connectFailed), which tries again within the acquire timeout
    }

    @Override
    public void recordResetLatency(long latencyMs) {
        // release needs no reset step in r2dbc-pool
    }

    @Override
    public void recordDestroyLatency(long latencyMs) {
        closed.increment();
    }

    @Override
    public void recordRecycled() {
        // reactor-pool's "recycled" means "returned to the idle queue", which this pool does not report
    }

    @Override
    public void recordLifetimeDuration(long millisecondsSinceAllocation) {
        // lifetimes are enforced by LifecyclePolicy
    }

    @Override
    public void recordIdleTime(long millisecondsIdle) {
        // idle time is enforced by LifecyclePolicy
    }

    @Override
    public void recordSlowPath() {
        // a new connection was needed; counted as created
    }

    @Override
    public void recordFastPath() {
        reused.increment();
    }
}
