package dev.sluice.pool.check;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * A number a {@link HealthCheck} measured, in a unit.
 *
 * @param value the value, in {@code unit}; finite
 * @param unit  how the value is measured and shown
 * @param basis how many observations the value rests on: the events a rate or mean was computed from (0 when there
 *              was none), or 1 for a plain measurement; alert rules may ignore readings resting on too few
 */
public record Reading(double value, Unit unit, long basis) {

    /** Units of readings. */
    public enum Unit {
        /** A plain count or size, shown as a number. */
        COUNT,
        /** A share from 0 to 1, shown as a percentage. */
        RATIO,
        /** A duration in milliseconds. */
        MILLISECONDS,
        /** A size in bytes. */
        BYTES;

        /** Shows {@code value} in this unit: {@code 12}, {@code 92.5%}, {@code 130 ms}, {@code 2048 B}; {@code n/a} for NaN. */
        public String format(double value) {
            if (Double.isNaN(value)) {
                return "n/a";
            }
            return switch (this) {
                case RATIO -> String.format(Locale.ROOT, "%.1f%%", value * 100);
                case MILLISECONDS -> value < 10 ? String.format(Locale.ROOT, "%.1f ms", value) : String.format(Locale.ROOT, "%.0f ms", value);
                case BYTES -> String.format(Locale.ROOT, "%.0f B", value);
                case COUNT -> value == Math.rint(value) ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.2f", value);
            };
        }
    }

    /**
     * Checks the parts.
     *
     * @throws IllegalArgumentException when the value is not finite or the basis negative
     */
    public Reading {
        Objects.requireNonNull(unit, "unit");
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("a reading's value must be a finite number, was " + value);
        }
        if (basis < 0) {
            throw new IllegalArgumentException("a reading's basis must not be negative, was " + basis);
        }
    }

    /** A count or size (basis 1). */
    public static Reading count(double value) {
        return new Reading(value, Unit.COUNT, 1);
    }

    /** A share from 0 to 1 (basis 1). */
    public static Reading ratio(double value) {
        return new Reading(value, Unit.RATIO, 1);
    }

    /** A duration, in milliseconds (basis 1). */
    public static Reading millis(Duration duration) {
        return new Reading(duration.toNanos() / 1_000_000.0, Unit.MILLISECONDS, 1);
    }

    /** A size in bytes (basis 1). */
    public static Reading bytes(long bytes) {
        return new Reading(bytes, Unit.BYTES, 1);
    }

    /** A rate or mean in {@code unit} computed from {@code basis} events. */
    public static Reading counted(double value, Unit unit, long basis) {
        return new Reading(value, unit, basis);
    }

    /** This value in its unit, such as {@code 92.5%}. */
    public String formatted() {
        return unit.format(value);
    }
}
