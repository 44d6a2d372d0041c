package dev.sluice.health.micrometer;

import dev.sluice.health.AlertRule;
import dev.sluice.health.AlertRules;
import dev.sluice.health.HealthConfig;
import dev.sluice.health.HealthMonitor;
import dev.sluice.health.SampleMetric;
import dev.sluice.health.TestRegistries;
import dev.sluice.pool.PoolRegistry;
import dev.sluice.pool.RegistryConfig;
import dev.sluice.testkit.NatsServer;
import dev.sluice.testkit.SluiceExtension;
import dev.sluice.testkit.TestDatabase;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The Micrometer binding against a registry of real servers; the module README lists exactly the meters registered. */
@ExtendWith(SluiceExtension.class)
class HealthMetricsTest {

    private static final Pattern README_METER = Pattern.compile("^\\| `(sluice\\.[a-z0-9.]+)` \\|", Pattern.MULTILINE);

    @Test
    void everyMeterIsRegisteredWithItsTagsAndTheReadmeListsThemAll(TestDatabase db, NatsServer nats) throws IOException {
        AlertRule always = AlertRule.builder("always", SampleMetric.POOL_CHECK_LATENCY).above(-1, -2).build();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (PoolRegistry registry = PoolRegistry.create(RegistryConfig.builder()
                .pool(TestRegistries.pool("primary", db).build())
                .kv(TestRegistries.nats(nats.url(), nats.uniqueName("metrics")))
                .build());
             HealthMonitor monitor = HealthMonitor.create(registry, HealthConfig.builder().interval(Duration.ofMillis(200))
                     .rules(AlertRules.of(always)).noSinks().build());
             HealthMetrics metrics = new HealthMetrics(monitor)) {
            registry.start().block();
            metrics.bindTo(meters);
            monitor.start().block();
            // the alert is counted by the rules after its round, so wait for it as well as for the rounds; on a loaded
            // machine a round's check may exceed its latency limit (then it is timed as degraded), so wait for two healthy ones
            TestRegistries.await("three rounds recorded, two healthy checks timed and the alert counted", Duration.ofSeconds(30),
                    () -> meters.find("sluice.health.rounds").functionCounter() != null
                            && meters.find("sluice.health.rounds").functionCounter().count() >= 3
                            && meters.find("sluice.pool.check").tags("pool", "primary", "status", "healthy").timer() != null
                            && meters.find("sluice.pool.check").tags("pool", "primary", "status", "healthy").timer().count() >= 2
                            && meters.find("sluice.health.alerts").tags("rule", "always", "state", "firing").counter() != null
                            && meters.find("sluice.health.alerts").tags("rule", "always", "state", "firing").counter().count() >= 1);

            monitor.close();
            assertThat(meters.get("sluice.pool.connections.max").tags("pool", "primary", "role", "primary").gauge().value()).isEqualTo(10);
            assertThat(meters.get("sluice.pool.breaker.state").tags("pool", "primary", "state", "closed").gauge().value()).isEqualTo(1);
            // the latest sample's status is 1 and the others 0; a loaded machine may make that round's check degraded
            dev.sluice.health.HealthReport last = monitor.report().orElseThrow();
            String status = last.pools().get(0).status().name().toLowerCase(java.util.Locale.ROOT);
            TestRegistries.await("the binder holds the last round", Duration.ofSeconds(5),
                    () -> meters.get("sluice.pool.health").tags("pool", "primary", "status", status).gauge().value() == 1);
            for (String each : List.of("healthy", "degraded", "unhealthy")) {
                assertThat(meters.get("sluice.pool.health").tags("pool", "primary", "status", each).gauge().value()).as(each)
                        .isEqualTo(each.equals(status) ? 1 : 0);
            }
            Timer check = meters.get("sluice.pool.check").tags("pool", "primary", "status", "healthy").timer();
            assertThat(check.count()).isGreaterThanOrEqualTo(2);
            assertThat(check.takeSnapshot().percentileValues()).extracting(v -> v.percentile()).containsExactly(0.5, 0.95, 0.99);
            assertThat(meters.get("sluice.pool.acquire").tags("pool", "primary").functionTimer().count()).isGreaterThanOrEqualTo(2);
            assertThat(meters.get("sluice.kv.check").tags("bucket", registry.kv().stores().keySet().iterator().next()).timers()).isNotEmpty();
            assertThat(meters.get("sluice.kv.operations").tags("operation", "status").functionCounter().count()).isGreaterThanOrEqualTo(2);
            assertThat(meters.get("sluice.nats.connected").tags("connection", "0").gauge().value()).isEqualTo(1);
            assertThat(meters.get("sluice.nats.round.trip").tags("connection", "0").timeGauge().value(TimeUnit.NANOSECONDS)).isPositive();
            assertThat(meters.get("sluice.health.alerts").tags("rule", "always", "state", "firing").counter().count()).isEqualTo(1);
            assertThat(meters.get("sluice.health.ready").gauge().value()).isEqualTo(last.readiness().ready() ? 1 : 0);

            // a simple registry shows a timer's published percentiles as gauges named <timer>.percentile; they belong to the timer
            Set<String> timers = meters.getMeters().stream().filter(Timer.class::isInstance).map(m -> m.getId().getName()).collect(Collectors.toSet());
            Set<String> registered = meters.getMeters().stream().map(m -> m.getId().getName())
                    .filter(name -> !(name.endsWith(".percentile") && timers.contains(name.substring(0, name.length() - ".percentile".length()))))
                    .collect(Collectors.toCollection(TreeSet::new));
            Set<String> documented = readmeMeters();
            assertThat(documented).as("every meter registered is in the README").containsAll(registered);
            Set<String> onlyOnEvents = Set.of("sluice.pool.breaker.transitions");
            assertThat(registered).as("every meter in the README is registered (those counting rare events aside)")
                    .containsAll(documented.stream().filter(n -> !onlyOnEvents.contains(n)).toList());
            assertThat(meters.getMeters()).filteredOn(m -> m.getId().getName().startsWith("sluice.pool."))
                    .allSatisfy(m -> assertThat(m.getId().getTag("pool")).isEqualTo("primary"));
            assertThat(meters.getMeters()).filteredOn(m -> m.getId().getName().startsWith("sluice.kv."))
                    .extracting((Meter m) -> m.getId().getTag("bucket")).doesNotContainNull();
        }
    }

    private static Set<String> readmeMeters() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        Matcher matcher = README_METER.matcher(readme);
        Set<String> names = new TreeSet<>();
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }
}
