package dev.sluice.health.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.health.AlertEvent;
import dev.sluice.health.AlertRule;
import dev.sluice.health.AlertRules;
import dev.sluice.health.HealthConfig;
import dev.sluice.health.SampleMetric;
import dev.sluice.health.Severity;
import dev.sluice.health.TestRegistries;
import dev.sluice.pool.PgPool;
import dev.sluice.pool.RegistryConfig;
import dev.sluice.pool.check.CheckResult;
import dev.sluice.pool.check.HealthCheck;
import dev.sluice.pool.check.Reading;
import dev.sluice.testkit.SluiceExtension;
import dev.sluice.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A check written by a user (a backlog counted in a real table) shows in {@code /health}, the SSE stream, the alerts and
 * the Prometheus metrics like the built-in checks, with nothing registered but the check and a rule on its reading.
 */
@ExtendWith(SluiceExtension.class)
class UserCheckEndpointTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Counts unshipped orders; DEGRADED above 5. Written against the public API only, as a user would. */
    private static HealthCheck backlog(AtomicReference<PgPool> pool) {
        return HealthCheck.of("orders", "backlog", () -> pool.get()
                .queryOne("SELECT count(*) AS n FROM user_check_orders WHERE shipped_at IS NULL", row -> row.get("n", Long.class))
                .map(n -> (n > 5 ? CheckResult.degraded(n + " orders waiting") : CheckResult.healthy())
                        .reading("orders.backlog", Reading.count(n))
                        .detail("table", "user_check_orders")
                        .build()));
    }

    @Test
    void aUserCheckShowsInHealthTheStreamAlertsAndMetrics(TestDatabase db) throws Exception {
        AtomicReference<PgPool> pool = new AtomicReference<>();
        AlertRule rule = AlertRule.builder("orders-backlog", SampleMetric.gauge("orders", "orders.backlog", Reading.Unit.COUNT))
                .above(5, 2).severity(Severity.HIGH).build();
        HealthConfig config = HealthConfig.builder().interval(Duration.ofMillis(300)).rules(AlertRules.of(rule)).noSinks()
                .check(backlog(pool)).build();
        RegistryConfig registry = RegistryConfig.builder().pool(TestRegistries.pool("primary", db).build()).build();
        PgPool setup = PgPool.create(TestRegistries.pool("setup", db).build());
        setup.update("CREATE TABLE IF NOT EXISTS user_check_orders (id serial PRIMARY KEY, shipped_at timestamptz)").block();
        setup.update("DELETE FROM user_check_orders").block();
        setup.stop().block();
        // the check reads through the registry's own pool, handed over once the registry exists
        try (Endpoint e = new Endpoint(registry, config, Duration.ofMillis(200), r -> pool.set(r.pool("primary")))) {
            List<AlertEvent> alerts = new CopyOnWriteArrayList<>();
            e.monitor.alerts().subscribe(alerts::add);
            TestRegistries.await("a healthy round with the user's check answering", Duration.ofSeconds(15), () -> e.get("/health").statusCode() == 200
                    && e.monitor.report().flatMap(r -> r.sample(new dev.sluice.health.Subject("orders", "backlog")))
                    .map(s -> s.reading("orders.backlog").isPresent()).orElse(false));

            JsonNode report = JSON.readTree(e.get("/health").body());
            assertThat(StreamSupport.stream(report.get("checks").spliterator(), false).map(c -> c.get("kind").asText()))
                    .containsExactly("pool", "orders");
            JsonNode sample = report.get("samples").get(1);
            assertThat(sample.get("subject").asText()).isEqualTo("backlog");
            assertThat(sample.get("status").asText()).isEqualTo("HEALTHY");
            assertThat(sample.get("readings").get("orders.backlog").get("value").asDouble()).isZero();
            assertThat(sample.get("details").get("table").asText()).isEqualTo("user_check_orders");
            assertThat(sample.get("tags").get("check").asText()).isEqualTo("backlog");

            e.registry.pool("primary").update("INSERT INTO user_check_orders (shipped_at) SELECT NULL FROM generate_series(1, 8)").block();
            TestRegistries.await("the backlog alert firing", Duration.ofSeconds(15),
                    () -> alerts.stream().anyMatch(a -> a.rule().equals("orders-backlog") && a.state() == AlertEvent.State.FIRING));
            AlertEvent firing = alerts.get(0);
            assertThat(firing.subject()).isEqualTo(new dev.sluice.health.Subject("orders", "backlog"));
            assertThat(firing.value()).isEqualTo(8);
            assertThat(firing.key()).isEqualTo("orders-backlog/orders/backlog");
            assertThat(firing.summary()).contains("[HIGH] orders-backlog: orders 'backlog' orders.backlog 8 above 5");

            HttpResponse<String> degraded = e.get("/health");
            JsonNode now = JSON.readTree(degraded.body());
            assertThat(now.get("status").asText()).isEqualTo("DEGRADED");
            assertThat(now.get("alerts").get(0).get("rule").asText()).isEqualTo("orders-backlog");
            assertThat(now.get("checks").get(1).get("error").asText()).isEqualTo("8 orders waiting");
            HttpResponse<String> ready = e.get("/health/ready");
            assertThat(ready.statusCode()).as("a degraded user check counts toward readiness").isEqualTo(503);
            assertThat(JSON.readTree(ready.body()).get("reasons").get(0).asText()).isEqualTo("orders 'backlog' is DEGRADED: 8 orders waiting");

            String metrics = e.get("/metrics").body();
            HealthEndpointTest.PrometheusText.parse(metrics);
            assertThat(metrics).contains("sluice_orders_backlog{check=\"backlog\"} 8.0")
                    .contains("sluice_orders_health{check=\"backlog\",status=\"degraded\"} 1.0")
                    .contains("sluice_orders_check_seconds_count{check=\"backlog\",status=\"healthy\"}")
                    .contains("sluice_orders_check_success_rate{check=\"backlog\"} 1.0")
                    .contains("sluice_health_alerts_total{rule=\"orders-backlog\",severity=\"high\",state=\"firing\"} 1.0");

            HttpResponse<InputStream> stream = Endpoint.CLIENT.send(HttpRequest.newBuilder(e.uri("/health/stream")).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            e.registry.pool("primary").update("UPDATE user_check_orders SET shipped_at = now()").block();
            List<Map<String, String>> events;
            try (InputStream body = stream.body()) {
                events = CompletableFuture.supplyAsync(() -> readUntilResolved(body)).get(20, TimeUnit.SECONDS);
            }
            assertThat(events).filteredOn(ev -> "sample".equals(ev.get("event")))
                    .anySatisfy(ev -> assertThat(ev.get("data")).contains("\"kind\":\"orders\"").contains("\"orders.backlog\""));
            JsonNode resolved = JSON.readTree(events.get(events.size() - 1).get("data"));
            assertThat(resolved.get("rule").asText()).isEqualTo("orders-backlog");
            assertThat(resolved.get("kind").asText()).isEqualTo("orders");
            assertThat(resolved.get("subject").asText()).isEqualTo("backlog");
            assertThat(resolved.get("peak").asDouble()).isEqualTo(8);
        }
    }

    /** SSE events (field to value) until the backlog alert's RESOLVED event, which comes last; comments skipped. */
    private static List<Map<String, String>> readUntilResolved(InputStream body) {
        List<Map<String, String>> events = new ArrayList<>();
        try {
            BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
            Map<String, String> current = new HashMap<>();
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.isEmpty()) {
                    if (!line.startsWith(":")) {
                        int colon = line.indexOf(':');
                        current.put(line.substring(0, colon), line.substring(colon + 1).trim());
                    }
                    continue;
                }
                if (current.isEmpty()) {
                    continue;
                }
                events.add(current);
                if ("alert".equals(current.get("event")) && current.get("data").contains("\"state\":\"RESOLVED\"")) {
                    return events;
                }
                current = new HashMap<>();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return events;
    }

    @Test
    void aUserCheckFailingOnlyItsOwnWayLeavesTheOthersAlone(TestDatabase db) throws Exception {
        HealthCheck broken = HealthCheck.of("payments", "gateway", () -> Mono.error(new IllegalStateException("gateway refused")));
        HealthConfig config = HealthConfig.builder().interval(Duration.ofMillis(300)).rules(AlertRules.none()).noSinks().check(broken).build();
        try (Endpoint e = new Endpoint(RegistryConfig.builder().pool(TestRegistries.pool("primary", db).build()).build(), config,
                Duration.ofSeconds(15), r -> { })) {
            TestRegistries.await("the failing check reported", Duration.ofSeconds(10), () -> e.get("/health").statusCode() == 503);
            JsonNode report = JSON.readTree(e.get("/health").body());
            assertThat(report.get("status").asText()).isEqualTo("UNHEALTHY");
            assertThat(report.get("checks").get(1).get("error").asText()).isEqualTo("IllegalStateException: gateway refused");
            assertThat(report.get("checks").get(0).get("kind").asText()).isEqualTo("pool");
            assertThat(e.get("/health/live").statusCode()).isEqualTo(200);
            assertThat(e.get("/metrics").body()).contains("sluice_payments_health{check=\"gateway\",status=\"unhealthy\"} 1.0");
        }
    }
}
