package dev.sluice.health;

import java.util.List;

/**
 * Whether the application should receive traffic, and why not.
 *
 * @param ready   true when, in the latest round, every pool of a readiness role is HEALTHY with its breaker not open,
 *                and every other subject (buckets, NATS connections, configured checks of kinds not left out with
 *                {@link HealthConfig.Builder#outsideReadiness}) is HEALTHY
 * @param reasons one sentence per subject that stops readiness, such as
 *                {@code pool 'primary' is DEGRADED: check took 180 ms}; empty when ready
 */
public record Readiness(boolean ready, List<String> reasons) {

    /** Not ready because no sampling round has completed yet. */
    public static final Readiness STARTING = new Readiness(false, List.of("no sampling round has completed yet"));

    /** Copies the reasons. */
    public Readiness {
        reasons = List.copyOf(reasons);
    }
}
