package dev.sluice.health;

import java.util.List;

/**
 * Whether the application should receive traffic, and why not.
 *
 * @param ready   true when every pool of a readiness role is HEALTHY with its breaker not open, and every bucket and
 *                NATS connection HEALTHY, in the latest round
 * @param reasons one sentence per subject that stops readiness, such as
 *                {@code pool 'primary' is DEGRADED: SELECT 1 took 180 ms}; empty when ready
 */
public record Readiness(boolean ready, List<String> reasons) {

    /** Not ready because no sampling round has completed yet. */
    public static final Readiness STARTING = new Readiness(false, List.of("no sampling round has completed yet"));

    /** Copies the reasons. */
    public Readiness {
        reasons = List.copyOf(reasons);
    }
}
