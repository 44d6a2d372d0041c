package dev.sluice.bench.load;

import java.time.Duration;
import java.util.Objects;

/**
 * How one system is loaded in one measurement: how many callers at once, how long they run before measuring
 * starts, and how long the measurement lasts.
 *
 * @param callers  concurrent callers, each running one operation after another (a closed loop)
 * @param warmup   time the callers run before the measurement window opens (JIT, connections, caches)
 * @param duration length of the measurement window
 */
public record LoadPlan(int callers, Duration warmup, Duration duration) {

    public LoadPlan {
        if (callers < 1) {
            throw new IllegalArgumentException("callers must be at least 1, got " + callers);
        }
        Objects.requireNonNull(warmup, "warmup");
        Objects.requireNonNull(duration, "duration");
        if (warmup.isNegative() || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("warm-up must not be negative and the duration must be positive, got "
                    + warmup + " and " + duration);
        }
    }

    /** The same plan with another number of callers. */
    public LoadPlan withCallers(int count) {
        return new LoadPlan(count, warmup, duration);
    }
}
