package dev.sluice.demo;

import java.time.Duration;

/**
 * How many callers the workload runs at each moment: calm for the first 15% of the run, rising to the peak by 45%,
 * held there until 70%, then back to calm, so the primary pool saturates and recovers within one run.
 *
 * @param calm  callers when calm
 * @param peak  callers at the peak (more than the primary pool's size, so callers queue)
 * @param total the length of the run
 */
record LoadShape(int calm, int peak, Duration total) {

    /** Callers wanted {@code elapsed} into the run. */
    int callersAt(Duration elapsed) {
        double share = (double) elapsed.toMillis() / Math.max(1, total.toMillis());
        if (share < 0.15 || share >= 0.70) {
            return calm;
        }
        if (share >= 0.45) {
            return peak;
        }
        return calm + (int) Math.round((peak - calm) * (share - 0.15) / 0.30);
    }
}
