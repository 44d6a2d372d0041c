package dev.sluice.health.internal;

import dev.sluice.health.HealthSample;
import dev.sluice.health.Readiness;
import dev.sluice.health.Subject;
import dev.sluice.pool.BreakerState;
import dev.sluice.pool.PoolRole;
import dev.sluice.pool.check.HealthStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Readiness from one round's samples: a subject that is not HEALTHY, or a pool whose breaker is open, makes the
 * application not ready; pools of roles outside {@code roles}, and checks of kinds in {@code outside}, do not count.
 */
public final class ReadinessRule {

    private final Set<PoolRole> roles;
    private final Set<String> outside;

    /** A rule counting pools of {@code roles} and every kind of check but those in {@code outside}. */
    public ReadinessRule(Set<PoolRole> roles, Set<String> outside) {
        this.roles = Set.copyOf(roles);
        this.outside = Set.copyOf(outside);
    }

    /** The readiness these samples show. */
    public Readiness judge(List<HealthSample> samples) {
        List<String> reasons = new ArrayList<>();
        for (HealthSample sample : samples) {
            if (outside.contains(sample.kind())) {
                continue;
            }
            if (sample.kind().equals(Subject.POOL)) {
                if (sample.detail(HealthSample.ROLE).map(role -> !roles.contains(PoolRole.valueOf(role))).orElse(false)) {
                    continue;
                }
                if (sample.detail(HealthSample.BREAKER).filter(BreakerState.OPEN.name()::equals).isPresent()) {
                    reasons.add(sample.subject() + " has its circuit breaker OPEN");
                    continue;
                }
            }
            if (sample.status() != HealthStatus.HEALTHY) {
                reasons.add(sample.subject() + " is " + sample.status() + ": " + sample.error()
                        .orElse("check took " + Durations.words(sample.latency())));
            }
        }
        return new Readiness(reasons.isEmpty(), reasons);
    }
}
