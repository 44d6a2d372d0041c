package dev.sluice.pool.internal;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import reactor.pool.PoolMetricsRecorder;

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

    public final LongAdder created = new LongAdder();
    public final LongAdder closed = new LongAdder();
    public final LongAdder reused = new LongAdder();
    public final LongAdder recycled = new LongAdder();
    public final LongAdder expired = new LongAdder();
    public final LongAdder idleEvicted = new LongAdder();
    public final LongAdder validationFailures = new LongAdder();
    public final LongAdder acquired = new LongAdder();
    public final LongAdder acquireTimeouts = new LongAdder();
    public final LongAdder acquireRejections = new LongAdder();
    public final LongAdder acquireErrors = new LongAdder();
    public final LongAdder allocationErrors = new LongAdder();
    /** Attempts to open a server connection, and those that failed (each retry of a ride-out counts). */
    public final LongAdder connectAttempts = new LongAdder();
    public final LongAdder connectFailures = new LongAdder();
    private volatile ConnectError lastConnectFailure;
    public final LongAdder leaks = new LongAdder();
    /** Nanoseconds waited by all successful acquires together, for averages over any interval. */
    public final LongAdder acquireNanos = new LongAdder();
    private final java.util.EnumMap<dev.sluice.pool.ErrorClass, LongAdder> retries = new java.util.EnumMap<>(dev.sluice.pool.ErrorClass.class);

    public PoolCounters() {
        for (dev.sluice.pool.ErrorClass kind : dev.sluice.pool.ErrorClass.values()) {
            retries.put(kind, new LongAdder());
        }
    }

    /** Counts one retry caused by a failure of this class. */
    public void retried(dev.sluice.pool.ErrorClass kind) {
        retries.get(kind).increment();
    }

    /** Retries so far by the class of the failure that caused them (classes never retried are left out). */
    public java.util.Map<dev.sluice.pool.ErrorClass, Long> retries() {
        java.util.Map<dev.sluice.pool.ErrorClass, Long> snapshot = new java.util.EnumMap<>(dev.sluice.pool.ErrorClass.class);
        retries.forEach((kind, count) -> {
            if (count.sum() > 0) {
                snapshot.put(kind, count.sum());
            }
        });
        return java.util.Collections.unmodifiableMap(snapshot);
    }

    /** The error of a failed attempt to connect, and when it came ({@link System#nanoTime()}). */
    public record ConnectError(Throwable error, long atNanos) {
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

    private static final long MAX_TRACKED_NANOS = TimeUnit.HOURS.toNanos(1);
    private final Recorder acquireLatency = new Recorder(MAX_TRACKED_NANOS, 2);
    private final Histogram acquireLatencyTotal = new Histogram(MAX_TRACKED_NANOS, 2);

    /** Records one successful acquire that waited {@code nanos}. */
    public void recordAcquire(long nanos) {
        acquired.increment();
        acquireNanos.add(Math.max(nanos, 0));
        acquireLatency.recordValue(Math.min(Math.max(nanos, 0), MAX_TRACKED_NANOS));
    }

    /** A copy of every acquire latency recorded so far, in nanoseconds. */
    public synchronized Histogram acquireLatencySnapshot() {
        acquireLatencyTotal.add(acquireLatency.getIntervalHistogram());
        return acquireLatencyTotal.copy();
    }

    @Override
    public void recordAllocationSuccessAndLatency(long latencyMs) {
        // counted in ServerConnections, after the after-connect hooks succeeded
    }

    @Override
    public void recordAllocationFailureAndLatency(long latencyMs) {
        allocationErrors.increment();
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
