package dev.sluice.bench.load;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Latencies (HdrHistogram {@link Recorder}s, written from any thread without locks) and failures of one system's
 * callers, overall and per operation, with a measurement window that discards what came before it.
 */
final class LatencyRecorder {

    /** Latencies above this are recorded as this (two minutes, far beyond any timeout used). */
    static final long HIGHEST_NANOS = TimeUnit.MINUTES.toNanos(2);
    private static final int ERROR_SAMPLES = 5;

    private final Recorder all = new Recorder(HIGHEST_NANOS, 3);
    private final Map<String, Recorder> byOperation = new LinkedHashMap<>();
    private final LongAdder completed = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder warmupErrors = new LongAdder();
    private final ConcurrentLinkedQueue<String> errorSamples = new ConcurrentLinkedQueue<>();
    private volatile boolean inWindow;
    private volatile boolean windowClosed;

    LatencyRecorder(List<String> operations) {
        if (operations.size() > 1) {
            operations.forEach(op -> byOperation.put(op, new Recorder(HIGHEST_NANOS, 3)));
        }
    }

    /** One operation completed in {@code nanos}. */
    void success(String operation, long nanos) {
        long value = Math.min(Math.max(nanos, 1), HIGHEST_NANOS);
        all.recordValue(value);
        Recorder op = byOperation.get(operation);
        if (op != null) {
            op.recordValue(value);
        }
        completed.increment();
    }

    /** One operation failed (after the window, while callers are being stopped, failures are not counted). */
    void failure(Throwable error) {
        if (windowClosed) {
            return;
        }
        if (!inWindow) {
            warmupErrors.increment();
            return;
        }
        errors.increment();
        if (errorSamples.size() < ERROR_SAMPLES) {
            String text = error.getClass().getName() + ": " + error.getMessage();
            if (!errorSamples.contains(text)) {
                errorSamples.add(text);
            }
        }
    }

    /** Operations completed since the window opened (or since the start, before it). */
    long completed() {
        return completed.sum();
    }

    /** Opens the window: what was recorded so far is dropped. */
    void openWindow() {
        all.getIntervalHistogram();
        byOperation.values().forEach(Recorder::getIntervalHistogram);
        completed.reset();
        errors.reset();
        inWindow = true;
    }

    /** Closes the window and returns what it recorded. */
    Snapshot closeWindow() {
        inWindow = false;
        windowClosed = true;
        Map<String, Histogram> ops = new LinkedHashMap<>();
        byOperation.forEach((name, recorder) -> ops.put(name, recorder.getIntervalHistogram()));
        return new Snapshot(all.getIntervalHistogram(), ops, errors.sum(), warmupErrors.sum(), List.copyOf(errorSamples));
    }

    /** What a window recorded. */
    record Snapshot(Histogram latency, Map<String, Histogram> byOperation, long errors, long warmupErrors, List<String> errorSamples) {
    }
}
