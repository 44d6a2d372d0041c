package dev.sluice.bench.report;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RatiosTest {

    @Test
    void dividesSluiceThroughputByEachPeer() {
        Map<String, Double> ratios = Ratios.of("sluice", List.of(Fixtures.system("r2dbc-pool", 8_000), Fixtures.system("sluice", 10_000),
                Fixtures.system("hikaricp", 12_500)));

        assertThat(ratios).containsExactly(Map.entry("sluice/r2dbc-pool", 1.25), Map.entry("sluice/hikaricp", 0.8));
    }

    @Test
    void leavesOutSkippedPeersAndPeersWithoutThroughput() {
        Map<String, Double> ratios = Ratios.of("sluice", List.of(Fixtures.system("sluice", 10_000),
                SystemResult.skipped("pgbench", "missing"), Fixtures.system("hikaricp", 0)));

        assertThat(ratios).isEmpty();
    }

    @Test
    void hasNoRatiosWhenSluiceItselfWasNotMeasured() {
        assertThat(Ratios.of("sluice", List.of(SystemResult.skipped("sluice", "off"), Fixtures.system("jnats", 5_000)))).isEmpty();
    }

    @Test
    void ratioGoalsAreMetAtTheThresholdAndUndecidedWithoutARatio() {
        Map<String, Double> ratios = Map.of("sluice/jnats", 1.0);

        assertThat(GoalCheck.ratioAtLeast("sluice/jnats", 1.0, ratios, "missing").met()).isTrue();
        assertThat(GoalCheck.ratioAtLeast("sluice/jnats", 1.01, ratios, "missing").met()).isFalse();
        GoalCheck missing = GoalCheck.ratioAtLeast("sluice/pgbench", 0.75, ratios, "pgbench was skipped");
        assertThat(missing.met()).isNull();
        assertThat(missing.measured()).isEqualTo("pgbench was skipped");
        assertThat(missing.goal()).isEqualTo("≥ 0.75×");
    }
}
