package dev.sluice.health;

import dev.sluice.pool.check.HealthStatus;
import dev.sluice.health.internal.ReadinessRule;
import dev.sluice.pool.BreakerState;
import dev.sluice.pool.PoolRole;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Which subjects stop readiness. */
class ReadinessTest {

    private final ReadinessRule everyRole = new ReadinessRule(EnumSet.allOf(PoolRole.class), Set.of());

    @Test
    void healthyPoolsAreReady() {
        Readiness readiness = everyRole.judge(List.of(TestSamples.pool("a").build(), TestSamples.pool("b").build()));
        assertThat(readiness.ready()).isTrue();
        assertThat(readiness.reasons()).isEmpty();
    }

    @Test
    void aDegradedPoolOrAnOpenBreakerStopsReadinessWithAReason() {
        Readiness degraded = everyRole.judge(List.of(TestSamples.pool("a").status(HealthStatus.DEGRADED).build()));
        assertThat(degraded.ready()).isFalse();
        assertThat(degraded.reasons()).singleElement().asString().startsWith("pool 'a' is DEGRADED");

        Readiness open = everyRole.judge(List.of(TestSamples.pool("b").breaker(BreakerState.OPEN).build()));
        assertThat(open.ready()).isFalse();
        assertThat(open.reasons()).containsExactly("pool 'b' has its circuit breaker OPEN");
    }

    @Test
    void poolsOfRolesOutsideTheReadinessRolesDoNotCount() {
        ReadinessRule analyticsIgnored = new ReadinessRule(EnumSet.of(PoolRole.REPLICA), Set.of());
        assertThat(analyticsIgnored.judge(List.of(TestSamples.pool("primary-like").status(HealthStatus.UNHEALTHY).build())).ready())
                .as("the made-up sample's role is PRIMARY").isTrue();
    }
}
