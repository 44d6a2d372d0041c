package dev.sluice.health;

import dev.sluice.pool.PgPool;
import dev.sluice.pool.PoolRegistry;
import dev.sluice.pool.RegistryConfig;
import dev.sluice.testkit.SluiceExtension;
import dev.sluice.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** A real workload saturates a small pool: the default utilisation and waiting rules fire, then resolve when it stops. */
@ExtendWith(SluiceExtension.class)
class SaturationAlertsTest {

    private static final Set<String> SATURATION_RULES = Set.of("pool-utilisation-warning", "pool-utilisation-high",
            "pool-waiting-warning", "pool-waiting-critical");

    @Test
    void saturatingAPoolFiresUtilisationAndWaitingAlertsThatResolveWhenTheLoadStops(TestDatabase db) {
        List<AlertEvent> delivered = new CopyOnWriteArrayList<>();
        try (PoolRegistry registry = PoolRegistry.create(RegistryConfig.builder()
                .pool(TestRegistries.pool("small", db).minConnections(2).maxConnections(2).build()).build());
             HealthMonitor monitor = HealthMonitor.create(registry, HealthConfig.builder()
                     .interval(Duration.ofSeconds(1))
                     .rules(AlertRules.defaults().map(rule -> rule.withForDuration(Duration.ofSeconds(2))))
                     .noSinks()
                     .sink(AlertSink.callback(delivered::add))
                     .build())) {
            registry.start().block();
            List<AlertEvent> alerts = new CopyOnWriteArrayList<>();
            monitor.alerts().subscribe(alerts::add);
            monitor.start().block();
            PgPool pool = registry.pool("small");

            Disposable load = Flux.range(0, 16)
                    .flatMap(i -> pool.queryOne("SELECT pg_sleep(0.01)", r -> 1).onErrorResume(e -> Mono.empty()).repeat(), 16)
                    .subscribe();
            try {
                TestRegistries.await("every saturation alert firing", Duration.ofSeconds(30),
                        () -> firing(alerts).containsAll(SATURATION_RULES));
            } finally {
                load.dispose();
            }
            AlertEvent high = alerts.stream().filter(a -> a.rule().equals("pool-utilisation-high")).findFirst().orElseThrow();
            assertThat(high.subject()).isEqualTo(Subject.pool("small"));
            assertThat(high.value()).isEqualTo(1.0);
            assertThat(monitor.activeAlerts()).extracting(AlertEvent::rule).containsAll(SATURATION_RULES);

            TestRegistries.await("every saturation alert resolved", Duration.ofSeconds(20), () -> resolved(alerts).containsAll(SATURATION_RULES));
            AlertEvent waiting = alerts.stream().filter(a -> a.rule().equals("pool-waiting-critical") && a.state() == AlertEvent.State.RESOLVED)
                    .findFirst().orElseThrow();
            assertThat(waiting.peak()).isGreaterThan(10);
            assertThat(waiting.endedAt()).isPresent();
            TestRegistries.await("the sink got the same events", Duration.ofSeconds(5), () -> delivered.size() >= alerts.size());
            assertThat(delivered).startsWith(alerts.toArray(AlertEvent[]::new));
        }
    }

    private static Set<String> firing(List<AlertEvent> alerts) {
        return Set.copyOf(alerts.stream().filter(a -> a.state() == AlertEvent.State.FIRING).map(AlertEvent::rule).toList());
    }

    private static Set<String> resolved(List<AlertEvent> alerts) {
        return Set.copyOf(alerts.stream().filter(a -> a.state() == AlertEvent.State.RESOLVED).map(AlertEvent::rule).toList());
    }
}
