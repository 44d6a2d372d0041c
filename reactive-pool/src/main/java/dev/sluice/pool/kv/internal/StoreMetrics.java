package dev.sluice.pool.kv.internal;

import dev.sluice.pool.LatencySummary;
import dev.sluice.pool.kv.KvErrorKind;
import dev.sluice.pool.kv.KvOperation;
import dev.sluice.pool.kv.KvStoreStats;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters and latency histograms of one store. Recording is lock-free (LongAdders and HdrHistogram
 * {@link Recorder}s); a snapshot folds the recorders' intervals into cumulative histograms under a lock.
 */
final class StoreMetrics {

    private static final long MAX_TRACKED_MICROS = Duration.ofMinutes(10).toNanos() / 1000;

    private final String bucket;
    private final Map<KvOperation, LongAdder> operations = new EnumMap<>(KvOperation.class);
    private final Map<KvErrorKind, LongAdder> errors = new EnumMap<>(KvErrorKind.class);
    private final Map<KvOperation, Recorder> recorders = new EnumMap<>(KvOperation.class);
    private final Map<KvOperation, Histogram> totals = new EnumMap<>(KvOperation.class);
    private final LongAdder cancelled = new LongAdder();
    private final AtomicInteger watches = new AtomicInteger();
    private final AtomicLong watchResets = new AtomicLong();

    StoreMetrics(String bucket) {
        this.bucket = bucket;
        for (KvOperation op : KvOperation.values()) {
            operations.put(op, new LongAdder());
            recorders.put(op, new Recorder(MAX_TRACKED_MICROS, 2));
            totals.put(op, new Histogram(MAX_TRACKED_MICROS, 2));
        }
        for (KvErrorKind kind : KvErrorKind.values()) {
            errors.put(kind, new LongAdder());
        }
    }

    void started(KvOperation op) {
        operations.get(op).increment();
    }

    void succeeded(KvOperation op, long startNanos) {
        long micros = Math.max(0, Math.min(MAX_TRACKED_MICROS, (System.nanoTime() - startNanos) / 1000));
        recorders.get(op).recordValue(micros);
    }

    void failed(Throwable error) {
        errors.get(KvErrorKind.of(error)).increment();
    }

    void cancelled() {
        cancelled.increment();
    }

    void watchOpened() {
        watches.incrementAndGet();
    }

    void watchClosed() {
        watches.decrementAndGet();
    }

    void watchReset() {
        watchResets.incrementAndGet();
    }

    synchronized KvStoreStats snapshot() {
        Map<KvOperation, Long> ops = new EnumMap<>(KvOperation.class);
        Map<KvOperation, LatencySummary> latencies = new EnumMap<>(KvOperation.class);
        for (KvOperation op : KvOperation.values()) {
            long count = operations.get(op).sum();
            if (count > 0) {
                ops.put(op, count);
            }
            Histogram total = totals.get(op);
            total.add(recorders.get(op).getIntervalHistogram());
            if (total.getTotalCount() > 0) {
                latencies.put(op, new LatencySummary(total.getTotalCount(), micros(total.getValueAtPercentile(50)),
                        micros(total.getValueAtPercentile(95)), micros(total.getValueAtPercentile(99)), micros(total.getMaxValue())));
            }
        }
        Map<KvErrorKind, Long> errs = new EnumMap<>(KvErrorKind.class);
        errors.forEach((kind, adder) -> {
            long n = adder.sum();
            if (n > 0) {
                errs.put(kind, n);
            }
        });
        return new KvStoreStats(bucket, Map.copyOf(ops), Map.copyOf(errs), cancelled.sum(), Map.copyOf(latencies), watches.get(), watchResets.get());
    }

    private static Duration micros(long value) {
        return Duration.ofNanos(value * 1000);
    }
}
