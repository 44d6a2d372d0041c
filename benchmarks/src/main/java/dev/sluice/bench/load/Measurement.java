package dev.sluice.bench.load;

import dev.sluice.bench.report.Ratios;
import dev.sluice.bench.report.SystemResult;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one measurement window of one system recorded, or several windows merged (rounds of the same system):
 * latencies in nanoseconds, failures, the window's length, and the threads and heap of the JVM.
 */
public final class Measurement {

    private final Histogram latency;
    private final Map<String, Histogram> byOperation;
    private final long errors;
    private final long warmupErrors;
    private final double seconds;
    private final int peakThreads;
    private final int threadsAdded;
    private final int threadsBefore;
    private final Long heapBytes;
    private final List<String> errorSamples;
    private final Map<String, Object> extra;
    private final int windows;
    private final long jvmCpuNanos;

    private Measurement(Histogram latency, Map<String, Histogram> byOperation, long errors, long warmupErrors, double seconds,
                        int peakThreads, int threadsBefore, int threadsAdded, Long heapBytes, List<String> errorSamples,
                        Map<String, Object> extra, int windows, long jvmCpuNanos) {
        this.latency = Objects.requireNonNull(latency, "latency");
        this.byOperation = Map.copyOf(byOperation);
        this.errors = errors;
        this.warmupErrors = warmupErrors;
        this.seconds = seconds;
        this.peakThreads = peakThreads;
        this.threadsBefore = threadsBefore;
        this.threadsAdded = threadsAdded;
        this.heapBytes = heapBytes;
        this.errorSamples = List.copyOf(errorSamples);
        this.extra = Map.copyOf(extra);
        this.windows = windows;
        this.jvmCpuNanos = jvmCpuNanos;
    }

    /**
     * One window.
     *
     * @param latency      every successful operation's latency, nanoseconds
     * @param byOperation  the same per named operation, when a caller runs several kinds (empty otherwise)
     * @param errors       failed operations in the window
     * @param warmupErrors failed operations during the warm-up (not counted as errors)
     * @param seconds      the window's length
     * @param peakThreads  peak live threads of the JVM (or of the child process measured)
     * @param heapBytes    heap after a collection at the end of the window, or null when not measured
     * @param errorSamples a few distinct failure messages
     * @param extra        further numbers for the result's details
     */
    public static Measurement window(Histogram latency, Map<String, Histogram> byOperation, long errors, long warmupErrors, double seconds,
                                     int peakThreads, Long heapBytes, List<String> errorSamples, Map<String, Object> extra) {
        return new Measurement(latency, new LinkedHashMap<>(byOperation), errors, warmupErrors, seconds, peakThreads, -1, -1, heapBytes,
                errorSamples, extra, 1, -1);
    }

    /**
     * This window, knowing the CPU time the benchmark JVM used during it (-1: not measured, as for a child process).
     * The JVM's CPU includes the load generator, the JIT and the collector, the same for every system of a run.
     */
    public Measurement withJvmCpu(long nanos) {
        return new Measurement(latency, byOperation, errors, warmupErrors, seconds, peakThreads, threadsBefore, threadsAdded, heapBytes,
                errorSamples, extra, windows, nanos);
    }

    /** This window with one more named number or value for the result's details. */
    public Measurement withExtra(String name, Object value) {
        Map<String, Object> more = new LinkedHashMap<>(extra);
        more.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return new Measurement(latency, byOperation, errors, warmupErrors, seconds, peakThreads, threadsBefore, threadsAdded, heapBytes,
                errorSamples, more, windows, jvmCpuNanos);
    }

    /** This window, knowing how many threads were alive before the system was opened. */
    public Measurement withThreadsBefore(int before) {
        return new Measurement(latency, byOperation, errors, warmupErrors, seconds, peakThreads, before, Math.max(0, peakThreads - before),
                heapBytes, errorSamples, extra, windows, jvmCpuNanos);
    }

    /** Several windows of one system as one: latencies and counts added, peaks and heap the largest. */
    public static Measurement merge(List<Measurement> windows) {
        if (windows.isEmpty()) {
            throw new IllegalArgumentException("nothing to merge");
        }
        if (windows.size() == 1) {
            return windows.get(0);
        }
        Measurement first = windows.get(0);
        Histogram latency = first.latency.copy();
        Map<String, Histogram> ops = new LinkedHashMap<>();
        first.byOperation.forEach((k, v) -> ops.put(k, v.copy()));
        long errors = first.errors;
        long warmupErrors = first.warmupErrors;
        double seconds = first.seconds;
        int peak = first.peakThreads;
        int before = first.threadsBefore;
        int added = first.threadsAdded;
        Long heap = first.heapBytes;
        LinkedHashSet<String> samples = new LinkedHashSet<>(first.errorSamples);
        Map<String, Object> extra = new LinkedHashMap<>(first.extra);
        long cpu = first.jvmCpuNanos;
        for (Measurement m : windows.subList(1, windows.size())) {
            cpu = cpu < 0 || m.jvmCpuNanos < 0 ? -1 : cpu + m.jvmCpuNanos;
            latency.add(m.latency);
            m.byOperation.forEach((k, v) -> ops.merge(k, v.copy(), (a, b) -> {
                a.add(b);
                return a;
            }));
            errors += m.errors;
            warmupErrors += m.warmupErrors;
            seconds += m.seconds;
            peak = Math.max(peak, m.peakThreads);
            if (m.threadsAdded > added) {
                added = m.threadsAdded;
                before = m.threadsBefore;
            }
            if (heap == null || m.heapBytes != null && m.heapBytes > heap) {
                heap = m.heapBytes;
            }
            samples.addAll(m.errorSamples);
            extra.putAll(m.extra);
        }
        return new Measurement(latency, ops, errors, warmupErrors, seconds, peak, before, added, heap,
                new ArrayList<>(samples).subList(0, Math.min(5, samples.size())), extra, windows.size(), cpu);
    }

    /** Successful operations per second. */
    public double opsPerSec() {
        return seconds <= 0 ? 0 : latency.getTotalCount() / seconds;
    }

    /** Failed operations in the window(s). */
    public long errors() {
        return errors;
    }

    /** Latency at a percentile, milliseconds (0 when nothing completed). */
    public double percentileMs(double percentile) {
        return latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(percentile) / 1e6;
    }

    /** Peak live threads. */
    public int peakThreads() {
        return peakThreads;
    }

    /** Threads the system added to those alive before it was opened (-1 when unknown). */
    public int threadsAdded() {
        return threadsAdded;
    }

    /** The result of this system under {@code name}. */
    public SystemResult toResult(String name) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("windows", windows);
        details.put("measuredSeconds", Ratios.round(seconds, 3));
        details.put("operationsCompleted", latency.getTotalCount());
        details.put("meanMs", Ratios.round(latency.getTotalCount() == 0 ? 0 : latency.getMean() / 1e6, 3));
        if (threadsBefore >= 0) {
            details.put("threadsBefore", threadsBefore);
            details.put("threadsAdded", threadsAdded);
        }
        if (jvmCpuNanos >= 0 && latency.getTotalCount() > 0 && seconds > 0) {
            details.put("jvmCpuMicrosPerOp", Ratios.round(jvmCpuNanos / 1e3 / latency.getTotalCount(), 2));
            details.put("jvmCpuCores", Ratios.round(jvmCpuNanos / 1e9 / seconds, 2));
        }
        if (warmupErrors > 0) {
            details.put("warmupErrors", warmupErrors);
        }
        if (!errorSamples.isEmpty()) {
            details.put("errorSamples", errorSamples);
        }
        if (!byOperation.isEmpty()) {
            Map<String, Object> ops = new LinkedHashMap<>();
            byOperation.forEach((op, h) -> {
                Map<String, Object> v = new LinkedHashMap<>();
                v.put("opsPerSec", Ratios.round(seconds <= 0 ? 0 : h.getTotalCount() / seconds, 1));
                v.put("p50Ms", Ratios.round(ms(h, 50), 3));
                v.put("p99Ms", Ratios.round(ms(h, 99), 3));
                v.put("maxMs", Ratios.round(h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1e6, 3));
                ops.put(op, v);
            });
            details.put("operations", ops);
        }
        details.putAll(extra);
        return new SystemResult(name, opsPerSec(), percentileMs(50), percentileMs(99),
                latency.getTotalCount() == 0 ? 0 : latency.getMaxValue() / 1e6, errors, peakThreads, heapBytes, null, details);
    }

    private static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1e6;
    }
}
