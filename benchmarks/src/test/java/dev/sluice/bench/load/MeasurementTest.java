package dev.sluice.bench.load;

import dev.sluice.bench.report.SystemResult;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class MeasurementTest {

    private static Measurement window(long count, long latencyMillis, double seconds, long errors, int peakThreads, long heap) {
        Histogram h = new Histogram(TimeUnit.MINUTES.toNanos(2), 3);
        h.recordValueWithCount(TimeUnit.MILLISECONDS.toNanos(latencyMillis), count);
        return Measurement.window(h, Map.of(), errors, 0, seconds, peakThreads, heap, errors > 0 ? List.of("boom") : List.of(), Map.of());
    }

    @Test
    void throughputIsSuccessfulOperationsPerSecondOfTheWindow() {
        SystemResult r = window(1_000, 2, 0.5, 3, 20, 1024).withThreadsBefore(17).toResult("sluice");

        assertThat(r.opsPerSec()).isEqualTo(2_000.0);
        assertThat(r.p50Ms()).isCloseTo(2.0, org.assertj.core.data.Offset.offset(0.01));
        assertThat(r.errors()).isEqualTo(3);
        assertThat(r.peakThreads()).isEqualTo(20);
        assertThat(r.heapBytes()).isEqualTo(1024);
        assertThat(r.details()).containsEntry("threadsBefore", 17).containsEntry("threadsAdded", 3)
                .containsEntry("errorSamples", List.of("boom"));
    }

    @Test
    void roundsMergeIntoOneResult() {
        Measurement merged = Measurement.merge(List.of(
                window(1_000, 1, 1.0, 0, 20, 100).withThreadsBefore(18),
                window(3_000, 10, 1.0, 2, 25, 300).withThreadsBefore(19)));

        SystemResult r = merged.toResult("r2dbc-pool");
        assertThat(r.opsPerSec()).isEqualTo(2_000.0);
        assertThat(r.p99Ms()).isCloseTo(10.0, org.assertj.core.data.Offset.offset(0.01));
        assertThat(r.p50Ms()).isCloseTo(10.0, org.assertj.core.data.Offset.offset(0.01));
        assertThat(r.errors()).isEqualTo(2);
        assertThat(r.peakThreads()).isEqualTo(25);
        assertThat(r.heapBytes()).isEqualTo(300);
        assertThat(r.details()).containsEntry("windows", 2).containsEntry("threadsAdded", 6);
    }

    @Test
    void roundsOfAChildProcessHaveNoHeap() {
        Histogram h = new Histogram(TimeUnit.MINUTES.toNanos(2), 3);
        h.recordValue(50_000);
        Measurement pgbench = Measurement.window(h, Map.of(), 0, 0, 1.0, 2, null, List.of(), Map.of()).withThreadsBefore(0);

        SystemResult r = Measurement.merge(List.of(pgbench, pgbench)).toResult("pgbench");

        assertThat(r.heapBytes()).isNull();
        assertThat(r.opsPerSec()).isEqualTo(1.0);
        assertThat(r.peakThreads()).isEqualTo(2);
    }

    @Test
    void jvmCpuPerOperationCoversEveryWindowAndOnlyWhenEveryWindowWasTimed() {
        Measurement first = window(1_000, 1, 1.0, 0, 20, 100).withJvmCpu(TimeUnit.MILLISECONDS.toNanos(30));
        Measurement second = window(3_000, 1, 1.0, 0, 20, 100).withJvmCpu(TimeUnit.MILLISECONDS.toNanos(90));

        SystemResult both = Measurement.merge(List.of(first, second)).toResult("sluice");
        SystemResult untimed = Measurement.merge(List.of(first, window(3_000, 1, 1.0, 0, 20, 100))).toResult("sluice");

        assertThat(both.details()).containsEntry("jvmCpuMicrosPerOp", 30.0).containsEntry("jvmCpuCores", 0.06);
        assertThat(untimed.details()).doesNotContainKeys("jvmCpuMicrosPerOp", "jvmCpuCores");
    }
}
