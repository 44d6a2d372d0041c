package dev.sluice.health.internal;

import dev.sluice.health.HealthSample;
import dev.sluice.health.HealthStatus;
import dev.sluice.health.PoolSample;
import dev.sluice.health.Readiness;
import dev.sluice.pool.BreakerState;
import dev.sluice.pool.PoolRole;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Readiness from one round's samples: a subject that is not HEALTHY, or a pool whose breaker is open, makes the
 * application not ready; pools of roles outside {@code roles} do not count.
 */
public final class ReadinessRule {

    private final Set<PoolRole> roles;

    /** A rule counting pools of {@code roles}. */
    public ReadinessRule(Set<PoolRole> roles) {
        this.roles = Set.copyOf(roles);
    }

    /** The readiness these samples show. */
    public Readiness judge(List<HealthSample> samples) {
        List<String> reasons = new ArrayList<>();
        for (HealthSample sample : samples) {
            if (sample instanceof PoolSample pool) {
                if (!roles.contains(pool.role())) {
                    continue;
                }
                if (pool.breakerState() == BreakerState.OPEN) {
                    reasons.add(sample.subject() + " has its circuit breaker OPEN");
                    continue;
                }
            }
            if (sample.status() != HealthStatus.HEALTHY) {
                reasons.add(sample.subject() + " is " + sample.status() + ": " + sample.check().error()
                        .orElse("check took " + Durations.words(sample.check().latency())));
            }
        }
        return new Readiness(reasons.isEmpty(), reasons);
    }
}
