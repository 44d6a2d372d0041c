package dev.sluice.bench.load;

import dev.sluice.bench.Progress;

import java.time.Duration;
import java.util.Map;

/** The timing every load shares: the warm-up, then the window with a running count, then the readings. */
final class MeasurementWindow {

    private static final long TICK_NANOS = Duration.ofSeconds(1).toNanos();

    private MeasurementWindow() {
    }

    /** Runs the warm-up and the window while the callers run; returns what the window recorded. */
    static Measurement measure(String system, LoadPlan plan, LatencyRecorder recorder, Progress progress)
            throws InterruptedException {
        progress.phase(system, "warm-up " + Progress.duration(plan.warmup()) + ", " + plan.callers() + " callers");
        sleepNanos(plan.warmup().toNanos());
        recorder.openWindow();
        long cpuAtStart = JvmResources.processCpuNanos();
        long start = System.nanoTime();
        long end = start + plan.duration().toNanos();
        for (long now = start; now < end; now = System.nanoTime()) {
            sleepNanos(Math.min(TICK_NANOS, end - now));
            progress.running(system, Duration.ofNanos(System.nanoTime() - start), plan.duration(), recorder.completed());
        }
        LatencyRecorder.Snapshot window = recorder.closeWindow();
        long cpuAtEnd = JvmResources.processCpuNanos();
        double seconds = (System.nanoTime() - start) / 1e9;
        int peakThreads = JvmResources.peakThreads();
        long heap = JvmResources.heapAfterCollection();
        return Measurement.window(window.latency(), window.byOperation(), window.errors(), window.warmupErrors(), seconds,
                peakThreads, heap, window.errorSamples(), Map.of())
                .withJvmCpu(cpuAtStart < 0 || cpuAtEnd < 0 ? -1 : cpuAtEnd - cpuAtStart);
    }

    private static void sleepNanos(long nanos) throws InterruptedException {
        if (nanos > 0) {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        }
    }
}
