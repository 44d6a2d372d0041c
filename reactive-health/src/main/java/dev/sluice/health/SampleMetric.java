package dev.sluice.health;

import dev.sluice.pool.check.CheckResult;
import dev.sluice.pool.check.Reading;

import java.util.Objects;
import java.util.Optional;

/**
 * A named number an {@link AlertRule} watches: the reading {@code reading} of the samples of kind {@code kind}. Plain
 * data; the standard metrics are constants here, {@link #gauge} and {@link #counted} make others for any check.
 *
 * <p>Besides a check's own readings, every sample answers two: {@link #CHECK_LATENCY} (the check's latency in
 * milliseconds) and {@link #CHECK_SUCCESS} (its check success rate, resting on the checks counted).
 *
 * @param name    a dotted name for events and messages, such as {@code pool.utilisation}
 * @param kind    the kind of subject it reads; samples of other kinds are not evaluated
 * @param reading the reading it reads, such as {@code pool.connections.pending}
 * @param unit    how values and thresholds are shown
 * @param counted whether readings rest on a number of events (rates and means): only then may a rule ask for more
 *                than one with {@link AlertRule#minSamples()}
 */
public record SampleMetric(String name, String kind, String reading, Reading.Unit unit, boolean counted) {

    /** The reading every sample answers with its check's latency, in milliseconds. */
    public static final String CHECK_LATENCY = "check.latency";
    /** The reading every sample answers with its check success rate; its basis is the checks counted. */
    public static final String CHECK_SUCCESS = "check.success";

    /** Share of the pool's maximum in use. */
    public static final SampleMetric POOL_UTILISATION = new SampleMetric("pool.utilisation", Subject.POOL, "pool.utilisation", Reading.Unit.RATIO, false);
    /** Callers waiting for a connection. */
    public static final SampleMetric POOL_PENDING = new SampleMetric("pool.pending", Subject.POOL, "pool.connections.pending", Reading.Unit.COUNT, false);
    /** 95th percentile acquire wait since the pool started, in milliseconds. */
    public static final SampleMetric POOL_ACQUIRE_P95 = new SampleMetric("pool.acquire.p95", Subject.POOL, "pool.acquire.p95", Reading.Unit.MILLISECONDS, false);
    /** Mean acquire wait in the rate window, in milliseconds; its basis is the acquires of the window. */
    public static final SampleMetric POOL_ACQUIRE_MEAN = new SampleMetric("pool.acquire.mean", Subject.POOL, "pool.acquire.mean", Reading.Unit.MILLISECONDS, true);
    /** Failed acquires ÷ attempts in the rate window; its basis is the attempts. */
    public static final SampleMetric POOL_ERROR_RATE = new SampleMetric("pool.error.rate", Subject.POOL, "pool.error.rate", Reading.Unit.RATIO, true);
    /** Share of the pool's recent checks that answered; its basis is the checks counted. */
    public static final SampleMetric POOL_CHECK_SUCCESS = new SampleMetric("pool.check.success", Subject.POOL, CHECK_SUCCESS, Reading.Unit.RATIO, true);
    /** Latency of this round's {@code SELECT 1}, in milliseconds. */
    public static final SampleMetric POOL_CHECK_LATENCY = new SampleMetric("pool.check.latency", Subject.POOL, CHECK_LATENCY, Reading.Unit.MILLISECONDS, false);

    /** Latency of this round's bucket status request, in milliseconds. */
    public static final SampleMetric BUCKET_CHECK_LATENCY = new SampleMetric("bucket.check.latency", Subject.KV, CHECK_LATENCY, Reading.Unit.MILLISECONDS, false);
    /** Failed ÷ started KV operations in the rate window; its basis is the operations. */
    public static final SampleMetric BUCKET_ERROR_RATE = new SampleMetric("bucket.error.rate", Subject.KV, "kv.error.rate", Reading.Unit.RATIO, true);
    /** Share of the bucket's recent checks that answered; its basis is the checks counted. */
    public static final SampleMetric BUCKET_CHECK_SUCCESS = new SampleMetric("bucket.check.success", Subject.KV, CHECK_SUCCESS, Reading.Unit.RATIO, true);

    /** Round-trip time of the NATS connection measured this round, in milliseconds; none when not measured. */
    public static final SampleMetric CONNECTION_ROUND_TRIP = new SampleMetric("connection.round.trip", Subject.NATS, "nats.round.trip", Reading.Unit.MILLISECONDS, false);
    /** Share of the connection's recent checks that answered; its basis is the checks counted. */
    public static final SampleMetric CONNECTION_CHECK_SUCCESS = new SampleMetric("connection.check.success", Subject.NATS, CHECK_SUCCESS, Reading.Unit.RATIO, true);

    /**
     * Checks every part.
     *
     * @throws IllegalArgumentException when the name, kind or reading is not dotted lower-case words
     */
    public SampleMetric {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(reading, "reading");
        Objects.requireNonNull(unit, "unit");
        if (!CheckResult.READING_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("metric name '" + name + "' must be dotted lower-case words of letters, digits and _");
        }
        if (!Subject.KIND.matcher(kind).matches()) {
            throw new IllegalArgumentException("metric '" + name + "': kind '" + kind + "' must be dotted lower-case words such as 'saga.outbox'");
        }
        if (!CheckResult.READING_NAME.matcher(reading).matches()) {
            throw new IllegalArgumentException("metric '" + name + "': reading '" + reading + "' must be dotted lower-case words");
        }
    }

    /** The reading {@code reading} of samples of kind {@code kind}, each resting on one observation; named after the reading. */
    public static SampleMetric gauge(String kind, String reading, Reading.Unit unit) {
        return new SampleMetric(reading, kind, reading, unit, false);
    }

    /** The reading {@code reading} of samples of kind {@code kind}, a rate or mean resting on its basis; named after the reading. */
    public static SampleMetric counted(String kind, String reading, Reading.Unit unit) {
        return new SampleMetric(reading, kind, reading, unit, true);
    }

    /** Whether this metric reads samples like {@code sample}. */
    public boolean appliesTo(HealthSample sample) {
        return kind.equals(sample.kind());
    }

    /** Reads the value of {@code sample}; empty when the sample is of another kind or has no such reading. */
    public Optional<Reading> read(HealthSample sample) {
        if (!appliesTo(sample)) {
            return Optional.empty();
        }
        return switch (reading) {
            case CHECK_LATENCY -> Optional.of(Reading.millis(sample.latency()));
            case CHECK_SUCCESS -> Optional.of(Reading.counted(sample.checkSuccessRate(), Reading.Unit.RATIO, sample.checks()));
            default -> sample.reading(reading);
        };
    }

    /** Shows {@code value} in this metric's unit: {@code 92.5%}, {@code 130 ms}, {@code 12}. */
    public String format(double value) {
        return unit.format(value);
    }

    @Override
    public String toString() {
        return name;
    }
}
