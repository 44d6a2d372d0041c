package dev.sluice.health;

import dev.sluice.pool.check.HealthStatus;
import dev.sluice.pool.BreakerState;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The alert state machine, on made-up samples one second apart, in virtual time. */
class AlertRulesTest {

    private static final Duration SECOND = Duration.ofSeconds(1);

    private static final AlertRule UTILISATION = AlertRule.builder("utilisation", SampleMetric.POOL_UTILISATION)
            .above(0.9, 0.8).severity(Severity.HIGH).build();

    /** Samples at 1 s, 2 s, ... (virtual time), the i-th (from 0) made by {@code sample}. */
    private static Flux<HealthSample> everySecond(int count, IntFunction<HealthSample> sample) {
        return Flux.interval(SECOND).take(count).map(i -> sample.apply(i.intValue()));
    }

    private static Flux<HealthSample> utilisation(double... values) {
        return everySecond(values.length, i -> TestSamples.pool("primary").utilisation(values[i]).build());
    }

    private static Instant second(long n) {
        return Instant.ofEpochSecond(n);
    }

    @Test
    void firesOnlyAfterTheConditionHeldForTheWholeForDuration() {
        AlertRules rules = AlertRules.of(UTILISATION.withForDuration(Duration.ofSeconds(5)));
        StepVerifier.withVirtualTime(() -> rules.evaluate(utilisation(1, 1, 1, 0.85, 1, 1, 1, 1, 1, 1, 1)))
                .expectSubscription()
                .as("pending from 1 s, dropped at 4 s by a value under the fire threshold, pending again from 5 s")
                .expectNoEvent(Duration.ofSeconds(9))
                .thenAwait(SECOND)
                .assertNext(e -> {
                    assertThat(e.state()).isEqualTo(AlertEvent.State.FIRING);
                    assertThat(e.startedAt()).isEqualTo(second(10));
                    assertThat(e.value()).isEqualTo(1.0);
                    assertThat(e.notification()).isEqualTo(1);
                    assertThat(e.summary()).contains("[HIGH] utilisation: pool 'primary' pool.utilisation 100.0% above 90.0%");
                })
                .thenAwait(SECOND)
                .verifyComplete();
    }

    @Test
    void valuesBetweenTheFireAndResolveThresholdsNeitherRefireNorResolve() {
        AlertRules rules = AlertRules.of(UTILISATION);
        StepVerifier.withVirtualTime(() -> rules.evaluate(utilisation(0.95, 0.85, 0.91, 0.82, 0.88, 0.95, 0.79, 0.85, 0.89)))
                .expectSubscription()
                .thenAwait(SECOND)
                .assertNext(e -> assertThat(e.state()).isEqualTo(AlertEvent.State.FIRING))
                .expectNoEvent(Duration.ofSeconds(5))
                .thenAwait(SECOND)
                .assertNext(e -> {
                    assertThat(e.state()).isEqualTo(AlertEvent.State.RESOLVED);
                    assertThat(e.value()).isEqualTo(0.79);
                })
                .thenAwait(Duration.ofSeconds(2))
                .verifyComplete();
    }

    @Test
    void resolvedEventCarriesStartEndAndPeak() {
        AlertRules rules = AlertRules.of(UTILISATION.withForDuration(Duration.ofSeconds(2)));
        StepVerifier.withVirtualTime(() -> rules.evaluate(utilisation(0.95, 1.0, 0.97, 0.99, 0.5)))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(3))
                .assertNext(e -> assertThat(e.state()).isEqualTo(AlertEvent.State.FIRING))
                .thenAwait(Duration.ofSeconds(2))
                .assertNext(e -> {
                    assertThat(e.state()).isEqualTo(AlertEvent.State.RESOLVED);
                    assertThat(e.startedAt()).isEqualTo(second(3));
                    assertThat(e.endedAt()).contains(second(5));
                    assertThat(e.duration()).isEqualTo(Duration.ofSeconds(2));
                    assertThat(e.peak()).as("the most extreme value since the condition first held").isEqualTo(1.0);
                    assertThat(e.value()).isEqualTo(0.5);
                    assertThat(e.summary()).contains("resolved after 2 s").contains("peak 100.0%");
                })
                .verifyComplete();
    }

    @Test
    void eachRuleAndSubjectPairRaisesOneAlertHoweverManySamplesBreach() {
        AlertRules rules = AlertRules.of(
                AlertRule.builder("warning", SampleMetric.POOL_UTILISATION).above(0.75, 0.7).build(),
                AlertRule.builder("high", SampleMetric.POOL_UTILISATION).above(0.9, 0.85).severity(Severity.HIGH).build());
        StepVerifier.withVirtualTime(() -> rules.evaluate(Flux.interval(SECOND).take(10)
                        .concatMapIterable(i -> List.<HealthSample>of(TestSamples.pool("a").utilisation(1).build(),
                                TestSamples.pool("b").utilisation(1).build()))).collectList())
                .thenAwait(Duration.ofSeconds(10))
                .assertNext(events -> assertThat(events).extracting(AlertEvent::key)
                        .containsExactly("warning/pool/a", "high/pool/a", "warning/pool/b", "high/pool/b"))
                .verifyComplete();
    }

    @Test
    void aStillFiringAlertIsNotifiedAgainEveryRenotifyInterval() {
        AlertRules rules = AlertRules.of(UTILISATION.toBuilder().renotifyEvery(Duration.ofSeconds(10)).build());
        StepVerifier.withVirtualTime(() -> rules.evaluate(everySecond(25, i -> TestSamples.pool("primary").utilisation(1).build())).collectList())
                .thenAwait(Duration.ofSeconds(25))
                .assertNext(events -> {
                    assertThat(events).extracting(AlertEvent::at).containsExactly(second(1), second(11), second(21));
                    assertThat(events).extracting(AlertEvent::notification).containsExactly(1, 2, 3);
                    assertThat(events).extracting(AlertEvent::startedAt).containsOnly(second(1));
                })
                .verifyComplete();
    }

    @Test
    void anUnhealthyPoolOrOpenBreakerMutesItsUtilisationAlertButNotOthers() {
        AlertRules rules = AlertRules.of(UTILISATION.toBuilder().mutedWhenUnhealthy(true).build(),
                AlertRule.builder("waiting", SampleMetric.POOL_PENDING).above(5, 2).build());
        List<TestSamples.Pool> samples = List.of(
                TestSamples.pool("primary").utilisation(1).pending(8).status(HealthStatus.UNHEALTHY),
                TestSamples.pool("primary").utilisation(1).pending(8).status(HealthStatus.UNHEALTHY),
                TestSamples.pool("primary").utilisation(1).pending(8),
                TestSamples.pool("primary").utilisation(1).pending(8).breaker(BreakerState.OPEN),
                TestSamples.pool("primary").utilisation(0.5).pending(0));
        StepVerifier.withVirtualTime(() -> rules.evaluate(everySecond(samples.size(), i -> samples.get(i).build())))
                .expectSubscription()
                .thenAwait(SECOND)
                .assertNext(e -> assertThat(e.key()).as("only the rule not muted").isEqualTo("waiting/pool/primary"))
                .expectNoEvent(SECOND)
                .thenAwait(SECOND)
                .assertNext(e -> {
                    assertThat(e.key()).isEqualTo("utilisation/pool/primary");
                    assertThat(e.state()).isEqualTo(AlertEvent.State.FIRING);
                    assertThat(e.startedAt()).as("it fired while muted and is notified once the pool is healthy").isEqualTo(second(1));
                })
                .expectNoEvent(SECOND)
                .thenAwait(SECOND)
                .assertNext(e -> assertThat(e.key() + " " + e.state()).isEqualTo("utilisation/pool/primary RESOLVED"))
                .assertNext(e -> assertThat(e.key() + " " + e.state()).isEqualTo("waiting/pool/primary RESOLVED"))
                .verifyComplete();
    }

    @Test
    void anAlertThatFiredAndResolvedWhileMutedIsNeverNotified() {
        AlertRules rules = AlertRules.of(UTILISATION.toBuilder().mutedWhenUnhealthy(true).build());
        StepVerifier.withVirtualTime(() -> rules.evaluate(everySecond(3, i -> TestSamples.pool("primary")
                        .utilisation(i < 2 ? 1 : 0.1).status(HealthStatus.UNHEALTHY).build())))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(3))
                .verifyComplete();
    }

    @Test
    void aRateCountsOnlyOnceItRestsOnTheMinimumSamplesAndNoDataResolves() {
        AlertRules rules = AlertRules.of(AlertRule.builder("errors", SampleMetric.POOL_ERROR_RATE).above(0.05, 0.03).minSamples(20).build());
        List<TestSamples.Pool> samples = List.of(
                TestSamples.pool("primary").errorRate(0.5, 4),
                TestSamples.pool("primary").errorRate(0.5, 19),
                TestSamples.pool("primary").errorRate(0.1, 20),
                TestSamples.pool("primary").errorRate(0.04, 25),
                TestSamples.pool("primary").errorRate(0, 0));
        StepVerifier.withVirtualTime(() -> rules.evaluate(everySecond(samples.size(), i -> samples.get(i).build())))
                .expectSubscription()
                .expectNoEvent(Duration.ofSeconds(2))
                .thenAwait(SECOND)
                .assertNext(e -> assertThat(e.state()).isEqualTo(AlertEvent.State.FIRING))
                .expectNoEvent(SECOND)
                .thenAwait(SECOND)
                .assertNext(e -> {
                    assertThat(e.state()).as("no attempts in the window: no evidence of errors").isEqualTo(AlertEvent.State.RESOLVED);
                    assertThat(e.peak()).isEqualTo(0.1);
                })
                .verifyComplete();
    }

    @Test
    void eachSubscriptionKeepsItsOwnState() {
        AlertRules rules = AlertRules.of(UTILISATION);
        Flux<AlertEvent> alerts = rules.evaluate(Flux.just(TestSamples.pool("p").utilisation(1).at(second(1)).build()));
        StepVerifier.create(alerts).expectNextCount(1).verifyComplete();
        StepVerifier.create(alerts).assertNext(e -> assertThat(e.id()).isEqualTo(1)).verifyComplete();
    }

    @Test
    void defaultRulesAreTheBriefs() {
        List<String> shape = AlertRules.defaults().rules().stream()
                .map(r -> r.name() + " " + r.metric().name() + " " + r.comparison() + " " + r.fireAt() + " " + r.severity())
                .toList();
        assertThat(shape).containsExactly(
                "pool-utilisation-warning pool.utilisation ABOVE 0.75 WARNING",
                "pool-utilisation-high pool.utilisation ABOVE 0.9 HIGH",
                "pool-waiting-warning pool.pending ABOVE 5.0 WARNING",
                "pool-waiting-critical pool.pending ABOVE 10.0 CRITICAL",
                "pool-acquire-p95-medium pool.acquire.p95 ABOVE 5000.0 MEDIUM",
                "pool-acquire-mean-warning pool.acquire.mean ABOVE 100.0 WARNING",
                "pool-acquire-mean-critical pool.acquire.mean ABOVE 500.0 CRITICAL",
                "pool-error-rate-high pool.error.rate ABOVE 0.05 HIGH",
                "pool-check-success-warning pool.check.success BELOW 0.99 WARNING",
                "pool-check-success-critical pool.check.success BELOW 0.95 CRITICAL");
        assertThat(AlertRules.defaults().rules()).filteredOn(AlertRule::mutedWhenUnhealthy).extracting(AlertRule::name)
                .as("utilisation and latency rules are muted by an unhealthy pool")
                .containsExactly("pool-utilisation-warning", "pool-utilisation-high", "pool-acquire-p95-medium",
                        "pool-acquire-mean-warning", "pool-acquire-mean-critical");
    }

    @Test
    void rulesThatCouldNeverResolveOrMisuseMinimumSamplesAreRefused() {
        assertThatThrownBy(() -> AlertRule.builder("r", SampleMetric.POOL_UTILISATION).above(0.8, 0.9).build())
                .hasMessageContaining("alert rule 'r': resolveAt 0.9 must not be above fireAt 0.8");
        assertThatThrownBy(() -> AlertRule.builder("r", SampleMetric.POOL_PENDING).above(5, 2).minSamples(3).build())
                .hasMessageContaining("needs a counted metric");
        assertThatThrownBy(() -> AlertRule.builder("r", SampleMetric.POOL_PENDING).build())
                .hasMessageContaining("above(fire, resolve) or below(fire, resolve)");
        assertThatThrownBy(() -> AlertRules.defaults().without("no-such-rule")).hasMessageContaining("no alert rule named 'no-such-rule'");
    }
}
