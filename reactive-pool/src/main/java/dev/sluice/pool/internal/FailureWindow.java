package dev.sluice.pool.internal;

import dev.sluice.pool.CircuitBreakerPolicy;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The closed breaker's view of the last {@link CircuitBreakerPolicy#window()}: calls and failures in ten
 * buckets of a tenth of the window each, and the start of the earliest failed call in each bucket. It answers
 * one question, after each failure: has the policy's outage condition been met (enough calls, a high enough
 * failure rate, failures spanning long enough)?
 *
 * <p>A success costs one counter increment (a bucket is reset under its lock once per tenth of the window);
 * the sums are taken only after a failure.
 */
final class FailureWindow {

    private static final int BUCKETS = 10;

    private final CircuitBreakerPolicy policy;
    private final LongSupplier nanoTime;
    private final long bucketNanos;
    private final Bucket[] buckets = new Bucket[BUCKETS];

    FailureWindow(CircuitBreakerPolicy policy, LongSupplier nanoTime) {
        this.policy = policy;
        this.nanoTime = nanoTime;
        this.bucketNanos = Math.max(1, policy.window().toNanos() / BUCKETS);
        for (int i = 0; i < BUCKETS; i++) {
            buckets[i] = new Bucket();
        }
    }

    /** The time source the window reads; calls pass their start time from it to {@link #failure}. */
    long now() {
        return nanoTime.getAsLong();
    }

    /** Counts a call that ended well. */
    void success() {
        bucket(now()).calls.increment();
    }

    /**
     * Counts a failed call that started at {@code callStart} ({@link #now()} then).
     *
     * @return whether the window now says the database is out: open the breaker
     */
    boolean failure(long callStart) {
        long now = now();
        Bucket bucket = bucket(now);
        bucket.calls.increment();
        bucket.failures.increment();
        bucket.earliestFailureStart(callStart);
        return outage(now);
    }

    /** Forgets everything counted: the breaker closed again after an outage. */
    void clear() {
        for (Bucket bucket : buckets) {
            synchronized (bucket) {
                bucket.reset(Long.MIN_VALUE);
            }
        }
    }

    private boolean outage(long now) {
        long current = Math.floorDiv(now, bucketNanos);
        long calls = 0;
        long failures = 0;
        long earliest = Long.MAX_VALUE;
        for (Bucket bucket : buckets) {
            long index = bucket.index;
            if (index <= current - BUCKETS || index > current) {
                continue;
            }
            calls += bucket.calls.sum();
            long failed = bucket.failures.sum();
            if (failed > 0) {
                failures += failed;
                earliest = Math.min(earliest, bucket.earliestFailureStart);
            }
        }
        return calls >= policy.minimumCalls()
                && failures * 100 >= (long) policy.failureRatePercent() * calls
                && now - earliest >= policy.minimumFailureDuration().toNanos();
    }

    private Bucket bucket(long now) {
        long index = Math.floorDiv(now, bucketNanos);
        Bucket bucket = buckets[(int) Math.floorMod(index, BUCKETS)];
        if (bucket.index != index) {
            synchronized (bucket) {
                if (bucket.index != index) {
                    bucket.reset(index);
                }
            }
        }
        return bucket;
    }

    /**
     * One tenth of the window. A count that lands in a bucket while another thread resets it may be lost or
     * kept; the breaker's decision does not hang on one call.
     */
    private static final class Bucket {
        volatile long index = Long.MIN_VALUE;
        final LongAdder calls = new LongAdder();
        final LongAdder failures = new LongAdder();
        volatile long earliestFailureStart = Long.MAX_VALUE;

        void reset(long newIndex) {
            calls.reset();
            failures.reset();
            earliestFailureStart = Long.MAX_VALUE;
            index = newIndex;
        }

        synchronized void earliestFailureStart(long start) {
            if (start < earliestFailureStart) {
                earliestFailureStart = start;
            }
        }
    }
}
