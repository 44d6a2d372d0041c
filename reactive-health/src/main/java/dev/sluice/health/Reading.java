package dev.sluice.health;

/**
 * A value a {@link SampleMetric} read from a sample.
 *
 * @param value the value, in the metric's unit
 * @param basis how many observations the value rests on: the events a rate or mean was computed from, or 1 for a
 *              gauge; an {@link AlertRule} ignores readings whose basis is below its {@link AlertRule#minSamples()}
 */
public record Reading(double value, long basis) {

    /** A gauge reading: one observation. */
    public static Reading of(double value) {
        return new Reading(value, 1);
    }
}
