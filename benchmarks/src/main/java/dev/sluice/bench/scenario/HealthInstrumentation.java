package dev.sluice.bench.scenario;

import dev.sluice.pool.PoolRegistry;

import java.util.Optional;

/**
 * What the health-overhead scenario switches on around a pool: the health sampler (every second), the Micrometer
 * binding and the default alert rules of reactive-health. The scenario measures the same pool round trip with and
 * without it.
 *
 * <p>{@link ReactiveHealth} is the real one; {@link #notBuilt(String)} reports both systems as skipped with a reason.
 */
public interface HealthInstrumentation {

    /** What is switched on, for the report. */
    String description();

    /** Why it cannot be switched on in this build, or empty when it can. */
    Optional<String> unavailable();

    /**
     * Switches health on for the pools of {@code registry}; closing the result switches it off again.
     *
     * @throws IllegalStateException when {@link #unavailable()} is not empty
     */
    AutoCloseable attach(PoolRegistry registry);

    /** Health that cannot be switched on, for the reason given. */
    static HealthInstrumentation notBuilt(String reason) {
        return new HealthInstrumentation() {
            @Override
            public String description() {
                return "health sampler (1 s), Micrometer binding and default alert rules";
            }

            @Override
            public Optional<String> unavailable() {
                return Optional.of(reason);
            }

            @Override
            public AutoCloseable attach(PoolRegistry registry) {
                throw new IllegalStateException(reason);
            }
        };
    }
}
