package dev.sluice.health;

/** Which side of its thresholds makes an {@link AlertRule} fire. */
public enum Comparison {
    /** Fires when the value is above the fire threshold; resolves when it is at or below the resolve threshold. */
    ABOVE,
    /** Fires when the value is below the fire threshold; resolves when it is at or above the resolve threshold. */
    BELOW;

    /** Whether {@code value} crosses the fire threshold. */
    public boolean breaches(double value, double fireAt) {
        return this == ABOVE ? value > fireAt : value < fireAt;
    }

    /** Whether {@code value} is back on the safe side of the resolve threshold. */
    public boolean clears(double value, double resolveAt) {
        return this == ABOVE ? value <= resolveAt : value >= resolveAt;
    }

    /** The more extreme of two values in this direction (the larger for ABOVE). */
    public double worst(double a, double b) {
        return this == ABOVE ? Math.max(a, b) : Math.min(a, b);
    }

    /** A word for messages: {@code above} or {@code below}. */
    public String word() {
        return this == ABOVE ? "above" : "below";
    }
}
