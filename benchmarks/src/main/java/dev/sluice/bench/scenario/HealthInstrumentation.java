package dev.sluice.bench.scenario;

import dev.sluice.pool.PgPool;

import java.util.Optional;

/**
 * What the health-overhead scenario switches on around a pool: the health sampler (every second), the Micrometer
 * binding and the default alert rules of reactive-health. The scenario measures the same pool round trip with and
 * without it.
 *
 * <p>reactive-health is built in parallel with the benchmarks; until this module depends on it, the scenario uses
 * {@link #notBuilt(String)} and reports both of its systems as skipped. Adding it is one implementation of this
 * interface and the line in {@link Scenarios} that chooses it.
 */
public interface HealthInstrumentation {

    /** What is switched on, for the report. */
    String description();

    /** Why it cannot be switched on in this build, or empty when it can. */
    Optional<String> unavailable();

    /**
     * Switches health on for {@code pool}; closing the result switches it off again.
     *
     * @throws IllegalStateException when {@link #unavailable()} is not empty
     */
    AutoCloseable attach(PgPool pool);

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
            public AutoCloseable attach(PgPool pool) {
                throw new IllegalStateException(reason);
            }
        };
    }
}
