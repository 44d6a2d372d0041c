package dev.sluice.health;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * A named number read from samples of one kind, for {@link AlertRule}s. The standard metrics are constants here;
 * users make their own with {@link #gauge} or {@link #counted}.
 *
 * @param name    a dotted name such as {@code pool.utilisation}
 * @param type    the kind of sample it reads; samples of other kinds are not evaluated
 * @param unit    how values are shown: {@link #RATIO} (as a percentage), {@link #MILLISECONDS} or {@link #COUNT}
 * @param counted whether readings rest on a number of events (rates and means): only then may a rule ask for more
 *                than one sample with {@link AlertRule#minSamples()}
 * @param reader  reads the value; empty when the sample has none (such as a round trip that was not measured)
 */
public record SampleMetric(String name, Class<? extends HealthSample> type, String unit, boolean counted,
                           Function<HealthSample, Optional<Reading>> reader) {

    /** Unit of shares from 0 to 1, shown as percentages. */
    public static final String RATIO = "ratio";
    /** Unit of durations, in milliseconds. */
    public static final String MILLISECONDS = "ms";
    /** Unit of plain counts. */
    public static final String COUNT = "count";

    /** Share of the pool's maximum in use. */
    public static final SampleMetric POOL_UTILISATION = gauge("pool.utilisation", PoolSample.class, RATIO, PoolSample::utilisation);
    /** Callers waiting for a connection. */
    public static final SampleMetric POOL_PENDING = gauge("pool.pending", PoolSample.class, COUNT, PoolSample::pending);
    /** 95th percentile acquire wait since the pool started, in milliseconds. */
    public static final SampleMetric POOL_ACQUIRE_P95 = gauge("pool.acquire.p95", PoolSample.class, MILLISECONDS,
            s -> millis(s.acquireP95()));
    /** Mean acquire wait in the rate window, in milliseconds; its basis is the acquires of the window. */
    public static final SampleMetric POOL_ACQUIRE_MEAN = counted("pool.acquire.mean", PoolSample.class, MILLISECONDS,
            s -> s.acquires() == 0 ? Optional.empty() : Optional.of(new Reading(millis(s.acquireMean()), s.acquires())));
    /** Failed acquires ÷ attempts in the rate window; its basis is the attempts. */
    public static final SampleMetric POOL_ERROR_RATE = counted("pool.error.rate", PoolSample.class, RATIO,
            s -> s.attempts() == 0 ? Optional.empty() : Optional.of(new Reading(s.errorRate(), s.attempts())));
    /** Share of the pool's recent checks that answered; its basis is the checks counted. */
    public static final SampleMetric POOL_CHECK_SUCCESS = checkSuccess("pool.check.success", PoolSample.class);
    /** Latency of this round's {@code SELECT 1}, in milliseconds. */
    public static final SampleMetric POOL_CHECK_LATENCY = checkLatency("pool.check.latency", PoolSample.class);

    /** Latency of this round's bucket status request, in milliseconds. */
    public static final SampleMetric BUCKET_CHECK_LATENCY = checkLatency("bucket.check.latency", BucketSample.class);
    /** Failed ÷ started KV operations in the rate window; its basis is the operations. */
    public static final SampleMetric BUCKET_ERROR_RATE = counted("bucket.error.rate", BucketSample.class, RATIO,
            s -> s.operationsInWindow() == 0 ? Optional.empty() : Optional.of(new Reading(s.errorRate(), s.operationsInWindow())));
    /** Share of the bucket's recent checks that answered; its basis is the checks counted. */
    public static final SampleMetric BUCKET_CHECK_SUCCESS = checkSuccess("bucket.check.success", BucketSample.class);

    /** Round-trip time of the NATS connection measured this round, in milliseconds; empty when not measured. */
    public static final SampleMetric CONNECTION_ROUND_TRIP = new SampleMetric("connection.round.trip", ConnectionSample.class,
            MILLISECONDS, false, s -> ((ConnectionSample) s).roundTrip().map(rtt -> Reading.of(millis(rtt))));
    /** Share of the connection's recent checks that answered; its basis is the checks counted. */
    public static final SampleMetric CONNECTION_CHECK_SUCCESS = checkSuccess("connection.check.success", ConnectionSample.class);

    /** Checks every part; the name must be a non-blank dotted word. */
    public SampleMetric {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(reader, "reader");
        if (!name.matches("[A-Za-z0-9_]+(\\.[A-Za-z0-9_]+)*")) {
            throw new IllegalArgumentException("metric name '" + name + "' must be dotted words of letters, digits and _");
        }
    }

    /** A metric whose every reading is one observation (basis 1), such as a size or a latest latency. */
    public static <S extends HealthSample> SampleMetric gauge(String name, Class<S> type, String unit, ToDoubleFunction<S> value) {
        return new SampleMetric(name, type, unit, false, sample -> Optional.of(Reading.of(value.applyAsDouble(type.cast(sample)))));
    }

    /** A metric whose readings rest on a number of events, such as a rate or a mean over a window. */
    public static <S extends HealthSample> SampleMetric counted(String name, Class<S> type, String unit,
                                                                Function<S, Optional<Reading>> reader) {
        return new SampleMetric(name, type, unit, true, sample -> reader.apply(type.cast(sample)));
    }

    /** Whether this metric reads samples like {@code sample}. */
    public boolean appliesTo(HealthSample sample) {
        return type.isInstance(sample);
    }

    /** Reads the value of {@code sample}; empty when the sample is of another kind or has no value. */
    public Optional<Reading> read(HealthSample sample) {
        return appliesTo(sample) ? reader.apply(sample) : Optional.empty();
    }

    /** Shows {@code value} in this metric's unit: {@code 92.5%}, {@code 130 ms}, {@code 12}. */
    public String format(double value) {
        if (Double.isNaN(value)) {
            return "n/a";
        }
        return switch (unit) {
            case RATIO -> String.format(Locale.ROOT, "%.1f%%", value * 100);
            case MILLISECONDS -> value < 10 ? String.format(Locale.ROOT, "%.1f ms", value) : String.format(Locale.ROOT, "%.0f ms", value);
            default -> value == Math.rint(value) ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.2f", value);
        };
    }

    @Override
    public String toString() {
        return name;
    }

    private static <S extends HealthSample> SampleMetric checkSuccess(String name, Class<S> type) {
        return counted(name, type, RATIO, s -> s.checks() == 0 ? Optional.empty() : Optional.of(new Reading(s.checkSuccessRate(), s.checks())));
    }

    private static <S extends HealthSample> SampleMetric checkLatency(String name, Class<S> type) {
        return gauge(name, type, MILLISECONDS, s -> millis(s.check().latency()));
    }

    private static double millis(java.time.Duration duration) {
        return duration.toNanos() / 1_000_000.0;
    }
}
