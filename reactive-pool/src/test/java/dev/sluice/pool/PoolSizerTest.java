package dev.sluice.pool;

import dev.sluice.pool.config.ConfigException;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PoolSizerTest {

    private static PoolSizer twoThousandOpsOfFiveMillis() {
        return PoolSizer.forLoad(2_000, Duration.ofMillis(5));
    }

    @Test
    void littlesLawWithDefaultUtilisationRoundsUp() {
        SizingRecommendation r = twoThousandOpsOfFiveMillis().recommend();

        assertThat(r.busyConnections()).isEqualTo(10.0);
        assertThat(r.maxConnections()).isEqualTo(13);
        assertThat(r.minConnections()).isEqualTo(10);
        assertThat(r.limitedByServer()).isFalse();
        assertThat(r.reasoning()).contains(
                "Little's law: 2,000 ops/s × 5 ms = 10 connections busy on average",
                "÷ target utilisation 0.8 = 12.5 → 13",
                "recommended: min 10, max 13");
    }

    @Test
    void exactQuotientIsNotRoundedUpFurther() {
        SizingRecommendation r = twoThousandOpsOfFiveMillis().targetUtilisation(0.5).recommend();

        assertThat(r.maxConnections()).isEqualTo(20);
        assertThat(r.reasoning()).contains("÷ target utilisation 0.5 = 20 → 20");
    }

    @Test
    void subMillisecondOperationsAreComputedFromNanoseconds() {
        SizingRecommendation r = PoolSizer.forLoad(40_000, Duration.ofNanos(250_000)).recommend();

        assertThat(r.busyConnections()).isEqualTo(10.0);
        assertThat(r.maxConnections()).isEqualTo(13);
        assertThat(r.reasoning()).contains("Little's law: 40,000 ops/s × 0.25 ms = 10 connections busy on average");
    }

    @Test
    void manyOccasionalAgentsAddABurstAboveTheUtilisationHeadroom() {
        SizingRecommendation r = twoThousandOpsOfFiveMillis().concurrentAgents(40).recommend();

        // p = 10 / 40 = 0.25; 10 + 2 × √(40 × 0.25 × 0.75) = 10 + 2 × 2.7386 = 15.48 → 16
        assertThat(r.maxConnections()).isEqualTo(16);
        assertThat(r.minConnections()).isEqualTo(10);
        assertThat(r.reasoning()).contains(
                "40 concurrent agents, each on the database 25% of the time: bursts reach 10 + 2 × √(40 × 0.25 × 0.75) = 15.48 → 16",
                "bursts need more than the utilisation headroom: 16");
    }

    @Test
    void fewBusyAgentsNeverGetMoreConnectionsThanAgents() {
        SizingRecommendation r = twoThousandOpsOfFiveMillis().concurrentAgents(12).recommend();

        // headroom 12.5 → 13 and burst 12.58 → 13, but 12 agents hold at most 12 connections
        assertThat(r.maxConnections()).isEqualTo(12);
        assertThat(r.reasoning()).contains("capped at 12: 12 agents never hold more than 12 connections at once");
    }

    @Test
    void agentsAlwaysBusyNeedOneConnectionEach() {
        SizingRecommendation r = twoThousandOpsOfFiveMillis().concurrentAgents(10).targetUtilisation(1).recommend();

        assertThat(r.maxConnections()).isEqualTo(10);
        assertThat(r.minConnections()).isEqualTo(10);
    }

    @Test
    void fewerAgentsThanTheLoadKeepsBusyIsRefusedWithTheArithmetic() {
        assertThatThrownBy(() -> twoThousandOpsOfFiveMillis().concurrentAgents(8).recommend())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("concurrentAgents = '8'")
                .hasMessageContaining("2,000 ops/s × 5 ms keeps 10 connections busy")
                .hasMessageContaining("at least 10 agents");
    }

    @Test
    void boundsRaiseASmallRecommendationAndLowerALargeOne() {
        SizingRecommendation raised = PoolSizer.forLoad(50, Duration.ofMillis(10)).bounds(4, 50).recommend();
        assertThat(raised.maxConnections()).isEqualTo(4);
        assertThat(raised.minConnections()).isEqualTo(1);
        assertThat(raised.reasoning()).contains("÷ target utilisation 0.8 = 0.625 → 1", "raised to the lower bound 4");

        SizingRecommendation lowered = twoThousandOpsOfFiveMillis().bounds(1, 8).recommend();
        assertThat(lowered.maxConnections()).isEqualTo(8);
        assertThat(lowered.minConnections()).isEqualTo(8);
        assertThat(lowered.reasoning()).contains("lowered to the upper bound 8", "min 8: ⌈10⌉ = 10 lowered to the maximum");
    }

    @Test
    void serverShareCapsTheMaximumAndSaysSo() {
        SizingRecommendation r = twoThousandOpsOfFiveMillis()
                .serverShare(new PoolSizer.ServerShare(100, 0.8, 4, 10))
                .recommend();

        // 100 × 0.8 ÷ 4 = 20 per instance, minus 10 for the other pools = 10 < 13
        assertThat(r.maxConnections()).isEqualTo(10);
        assertThat(r.limitedByServer()).isTrue();
        assertThat(r.reasoning()).anySatisfy(line -> assertThat(line)
                .startsWith("server share: 100 usable × 0.8 ÷ 4 instances = 20 per instance − 10 for other pools = 10: "
                        + "lowered from 13 to 10"));
    }

    @Test
    void serverShareThatFitsLeavesTheRecommendationAlone() {
        SizingRecommendation r = twoThousandOpsOfFiveMillis().serverShare(PoolSizer.ServerShare.of(200, 4)).recommend();

        assertThat(r.maxConnections()).isEqualTo(13);
        assertThat(r.limitedByServer()).isFalse();
        assertThat(r.reasoning()).contains("server share: 200 usable × 0.8 ÷ 4 instances = 40 per instance: 13 fits");
    }

    @Test
    void serverShareWinsOverTheLowerBound() {
        SizingRecommendation r = PoolSizer.forLoad(10, Duration.ofMillis(1)).bounds(20, 50)
                .serverShare(PoolSizer.ServerShare.of(50, 4))
                .recommend();

        assertThat(r.maxConnections()).isEqualTo(10);
        assertThat(r.limitedByServer()).isTrue();
    }

    @Test
    void serverShareLeavingNoConnectionIsRefusedWithTheArithmetic() {
        assertThatThrownBy(() -> new PoolSizer.ServerShare(20, 0.8, 4, 4))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("20 usable × 0.8 ÷ 4 instances = 4 per instance, and the other pools take 4");
    }

    @Test
    void idleLoadStillGetsOneConnection() {
        SizingRecommendation r = PoolSizer.forLoad(0, Duration.ofMillis(10)).recommend();

        assertThat(r.minConnections()).isEqualTo(1);
        assertThat(r.maxConnections()).isEqualTo(1);
        assertThat(r.reasoning()).contains("raised to 1: a pool needs at least one connection");
    }

    @Test
    void tinyLoadShowsItsRealNumbersInTheReasoning() {
        SizingRecommendation r = PoolSizer.forLoad(3, Duration.ofNanos(250_000)).recommend();

        assertThat(r.reasoning()).contains("Little's law: 3 ops/s × 0.25 ms = 0.0008 connections busy on average");
    }

    @Test
    void invalidInputsAreRefusedNamingInputAndRange() {
        assertThatThrownBy(() -> PoolSizer.forLoad(-1, Duration.ofMillis(5)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("operationsPerSecond = '-1.0'").hasMessageContaining("0 or more");
        assertThatThrownBy(() -> PoolSizer.forLoad(Double.NaN, Duration.ofMillis(5)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("operationsPerSecond");
        assertThatThrownBy(() -> PoolSizer.forLoad(Double.POSITIVE_INFINITY, Duration.ofMillis(5)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("operationsPerSecond");
        assertThatThrownBy(() -> PoolSizer.forLoad(100, Duration.ZERO))
                .isInstanceOf(ConfigException.class).hasMessageContaining("meanOperationTime").hasMessageContaining("above zero");
        assertThatThrownBy(() -> PoolSizer.forLoad(100, null))
                .isInstanceOf(ConfigException.class).hasMessageContaining("meanOperationTime = (missing)");
        assertThatThrownBy(() -> twoThousandOpsOfFiveMillis().targetUtilisation(0))
                .isInstanceOf(ConfigException.class).hasMessageContaining("targetUtilisation = '0.0'").hasMessageContaining("above 0 and at most 1");
        assertThatThrownBy(() -> twoThousandOpsOfFiveMillis().targetUtilisation(1.5))
                .isInstanceOf(ConfigException.class).hasMessageContaining("targetUtilisation");
        assertThatThrownBy(() -> twoThousandOpsOfFiveMillis().concurrentAgents(0))
                .isInstanceOf(ConfigException.class).hasMessageContaining("concurrentAgents = '0'");
        assertThatThrownBy(() -> twoThousandOpsOfFiveMillis().bounds(10, 5))
                .isInstanceOf(ConfigException.class).hasMessageContaining("highest = '5'").hasMessageContaining("between lowest (10)");
        assertThatThrownBy(() -> twoThousandOpsOfFiveMillis().bounds(0, 5))
                .isInstanceOf(ConfigException.class).hasMessageContaining("lowest = '0'");
        assertThatThrownBy(() -> new PoolSizer.ServerShare(100, 1.2, 1, 0))
                .isInstanceOf(ConfigException.class).hasMessageContaining("safeShare");
    }

    @Test
    void sizerIsImmutable() {
        PoolSizer base = twoThousandOpsOfFiveMillis();
        base.targetUtilisation(0.5);
        base.concurrentAgents(12);

        assertThat(base.recommend().maxConnections()).isEqualTo(13);
    }

    @Test
    void recommendationAppliesToABuilder() {
        SizingRecommendation r = twoThousandOpsOfFiveMillis().concurrentAgents(40).recommend();

        PgPoolConfig config = r.applyTo(EnvironmentTemplate.PRODUCTION.builder("primary").user("app")).build();

        assertThat(config.minConnections()).isEqualTo(10);
        assertThat(config.maxConnections()).isEqualTo(16);
        assertThat(config.statementTimeout()).contains(Duration.ofSeconds(30));
        assertThat(r.toString()).startsWith("min 10, max 16").contains("Little's law");
    }
}
