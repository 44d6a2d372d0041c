package dev.sluice.health.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.health.AlertRule;
import dev.sluice.health.AlertRules;
import dev.sluice.health.HealthConfig;
import dev.sluice.health.HealthMonitor;
import dev.sluice.health.SampleMetric;
import dev.sluice.health.TestRegistries;
import dev.sluice.pool.PoolRegistry;
import dev.sluice.pool.RegistryConfig;
import dev.sluice.pool.config.ConfigException;
import dev.sluice.testkit.FaultProxy;
import dev.sluice.testkit.NatsServer;
import dev.sluice.testkit.SluiceExtension;
import dev.sluice.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every route of the endpoint, through a real HTTP client, over a registry of real servers. */
@ExtendWith(SluiceExtension.class)
class HealthEndpointTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static HealthConfig.Builder fast() {
        return HealthConfig.builder().interval(Duration.ofMillis(300)).rules(AlertRules.none()).noSinks();
    }

    private static RegistryConfig poolAndBucket(TestDatabase db, NatsServer nats) {
        return RegistryConfig.builder()
                .pool(TestRegistries.pool("primary", db).build())
                .kv(TestRegistries.nats(nats.url(), nats.uniqueName("endpoint")))
                .build();
    }

    @Test
    void healthReportsEveryCheckAsJsonAndLiveAndReadyAnswer200(TestDatabase db, NatsServer nats) throws Exception {
        try (Endpoint e = new Endpoint(poolAndBucket(db, nats), fast().build(), Duration.ofSeconds(15))) {
            assertThat(e.endpoint.host()).isEqualTo("127.0.0.1");
            TestRegistries.await("a healthy round (the first checks of a cold JVM may exceed their limit)", Duration.ofSeconds(10),
                    () -> e.get("/health").statusCode() == 200);
            HttpResponse<String> health = e.get("/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.headers().firstValue("content-type")).contains("application/json");
            JsonNode report = JSON.readTree(health.body());
            assertThat(report.get("status").asText()).isEqualTo("HEALTHY");
            assertThat(report.get("ready").asBoolean()).isTrue();
            assertThat(StreamSupport.stream(report.get("checks").spliterator(), false).map(c -> c.get("kind").asText()))
                    .containsExactly("pool", "kv", "nats");
            JsonNode check = report.get("checks").get(0);
            assertThat(check.get("subject").asText()).isEqualTo("primary");
            assertThat(check.get("latencyMs").asDouble()).isPositive();
            assertThat(check.get("error").isNull()).isTrue();
            JsonNode pool = report.get("samples").get(0);
            assertThat(pool.get("kind").asText()).isEqualTo("pool");
            assertThat(pool.get("details").get("role").asText()).isEqualTo("PRIMARY");
            assertThat(pool.get("readings").get("pool.connections.max").get("value").asInt()).isEqualTo(10);
            assertThat(pool.get("readings").get("pool.utilisation").get("unit").asText()).isEqualTo("ratio");
            assertThat(pool.get("details").get("breaker").asText()).isEqualTo("CLOSED");
            assertThat(pool.get("tags").get("pool").asText()).isEqualTo("primary");
            JsonNode connection = report.get("samples").get(2);
            assertThat(connection.get("kind").asText()).isEqualTo("nats");
            assertThat(connection.get("details").get("state").asText()).isEqualTo("CONNECTED");

            HttpResponse<String> live = e.get("/health/live");
            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(live.body()).get("status").asText()).isEqualTo("UP");
            HttpResponse<String> ready = e.get("/health/ready?verbose=1");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(ready.body()).get("status").asText()).isEqualTo("READY");
        }
    }

    @Test
    void aDegradedPoolMakesReady503AndAnUnhealthyOneHealth503WhileLiveStays200(TestDatabase db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
             Endpoint e = new Endpoint(RegistryConfig.builder()
                     .pool(TestRegistries.pool("slow", db.at(proxy.host(), proxy.port())).shutdownGracePeriod(Duration.ZERO).build()).build(),
                     fast().interval(Duration.ofSeconds(1)).build(), Duration.ofSeconds(15))) {
            proxy.addLatency(Duration.ofMillis(80));
            TestRegistries.await("not ready", Duration.ofSeconds(15), () -> e.get("/health/ready").statusCode() == 503);
            JsonNode notReady = JSON.readTree(e.get("/health/ready").body());
            assertThat(notReady.get("status").asText()).isEqualTo("NOT_READY");
            assertThat(notReady.get("reasons").get(0).asText()).startsWith("pool 'slow' is DEGRADED");
            HttpResponse<String> degraded = e.get("/health");
            assertThat(degraded.statusCode()).as("degraded affects readiness only").isEqualTo(200);
            assertThat(JSON.readTree(degraded.body()).get("status").asText()).isEqualTo("DEGRADED");
            assertThat(e.get("/health/live").statusCode()).isEqualTo(200);

            proxy.blackHole();
            TestRegistries.await("health 503", Duration.ofSeconds(15), () -> e.get("/health").statusCode() == 503);
            assertThat(JSON.readTree(e.get("/health").body()).get("status").asText()).isEqualTo("UNHEALTHY");
            assertThat(e.get("/health/live").statusCode()).as("pools never affect liveness").isEqualTo(200);
            proxy.passThrough();
        }
    }

    @Test
    void aPortAndKeepAliveOutOfRangeAreRefusedTogetherBeforeAnythingListens(TestDatabase db) {
        try (PoolRegistry registry = PoolRegistry.create(RegistryConfig.builder().pool(TestRegistries.pool("primary", db).build()).build());
             HealthMonitor monitor = HealthMonitor.create(registry, fast().build())) {
            assertThatThrownBy(() -> HealthEndpoint.builder(monitor).port(70_000).keepAlive(Duration.ofMillis(10)).start().block())
                    .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).extracting(p -> p.setting())
                            .containsExactly("port", "keepAlive"))
                    .hasMessageContaining("health endpoint: port = '70000'")
                    .hasMessageContaining("health endpoint: keepAlive = '10ms'");
        }
    }

    @Test
    void unknownPathsAre404AndOtherMethods405(TestDatabase db) throws Exception {
        try (Endpoint e = new Endpoint(RegistryConfig.builder().pool(TestRegistries.pool("primary", db).build()).build(),
                fast().build(), Duration.ofSeconds(15))) {
            HttpResponse<String> missing = e.get("/nothing-here");
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(JSON.readTree(missing.body()).get("error").asText()).isEqualTo("no such path: /nothing-here");
            assertThat(e.get("/health/").statusCode()).isEqualTo(404);

            HttpResponse<String> post = Endpoint.send(HttpRequest.newBuilder(e.uri("/health"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
            assertThat(post.statusCode()).isEqualTo(405);
            assertThat(post.headers().firstValue("allow")).contains("GET");
            HttpResponse<String> delete = Endpoint.send(HttpRequest.newBuilder(e.uri("/metrics")).DELETE().build());
            assertThat(delete.statusCode()).isEqualTo(405);
        }
    }

    @Test
    void theStreamSendsSampleAndAlertEventsWithIncreasingIdsAndKeepAliveComments(TestDatabase db) throws Exception {
        AlertRule always = AlertRule.builder("always", SampleMetric.POOL_CHECK_LATENCY).above(-1, -2)
                .renotifyEvery(Duration.ofMillis(300)).build();
        try (Endpoint e = new Endpoint(RegistryConfig.builder().pool(TestRegistries.pool("primary", db).build()).build(),
                fast().rules(AlertRules.of(always)).build(), Duration.ofMillis(200))) {
            HttpResponse<InputStream> response = Endpoint.CLIENT.send(HttpRequest.newBuilder(e.uri("/health/stream")).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
            List<Map<String, String>> events;
            try (InputStream body = response.body()) {
                events = CompletableFuture.supplyAsync(() -> readEvents(body, 12)).get(20, TimeUnit.SECONDS);
            }
            List<Map<String, String>> samples = events.stream().filter(ev -> "sample".equals(ev.get("event"))).toList();
            List<Map<String, String>> alerts = events.stream().filter(ev -> "alert".equals(ev.get("event"))).toList();
            assertThat(samples).isNotEmpty();
            assertThat(alerts).isNotEmpty();
            assertThat(events).anySatisfy(ev -> assertThat(ev.get("comment")).isEqualTo("keep-alive"));
            JsonNode sample = JSON.readTree(samples.get(0).get("data"));
            assertThat(sample.get("kind").asText()).isEqualTo("pool");
            assertThat(sample.get("subject").asText()).isEqualTo("primary");
            assertThat(samples.get(0).get("id")).isEqualTo(sample.get("id").asText());
            JsonNode alert = JSON.readTree(alerts.get(0).get("data"));
            assertThat(alert.get("rule").asText()).isEqualTo("always");
            assertThat(alert.get("state").asText()).isEqualTo("FIRING");
            List<Long> ids = events.stream().filter(ev -> ev.containsKey("id")).map(ev -> Long.parseLong(ev.get("id"))).toList();
            assertThat(ids).isSorted().doesNotHaveDuplicates();
        }
    }

    @Test
    void aClientThatDisconnectsReleasesItsSubscription(TestDatabase db) throws Exception {
        try (Endpoint e = new Endpoint(RegistryConfig.builder().pool(TestRegistries.pool("primary", db).build()).build(),
                fast().build(), Duration.ofSeconds(15))) {
            HttpResponse<InputStream> response = Endpoint.CLIENT.send(HttpRequest.newBuilder(e.uri("/health/stream")).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            InputStream body = response.body();
            CompletableFuture.supplyAsync(() -> readEvents(body, 2)).get(10, TimeUnit.SECONDS);
            assertThat(e.endpoint.openStreams()).isEqualTo(1);
            body.close();
            TestRegistries.await("the stream's subscription released", Duration.ofSeconds(10), () -> e.endpoint.openStreams() == 0);
        }
    }

    @Test
    void metricsAreValidPrometheusTextWithPoolBucketAndConnectionSeries(TestDatabase db, NatsServer nats) {
        try (Endpoint e = new Endpoint(poolAndBucket(db, nats), fast().build(), Duration.ofSeconds(15))) {
            TestRegistries.await("two rounds", Duration.ofSeconds(5), () -> e.monitor.rounds() >= 2);
            HttpResponse<String> metrics = e.get("/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("content-type")).contains("text/plain; version=0.0.4; charset=utf-8");
            Map<String, String> families = PrometheusText.parse(metrics.body());
            assertThat(families).containsEntry("sluice_pool_connections_active", "gauge")
                    .containsEntry("sluice_pool_check_seconds", "summary")
                    .containsEntry("sluice_kv_check_seconds", "summary")
                    .containsEntry("sluice_nats_round_trip_seconds", "gauge")
                    .containsEntry("sluice_health_rounds_total", "counter");
            assertThat(metrics.body()).contains("sluice_pool_connections_max{pool=\"primary\",role=\"primary\"} 10.0")
                    .contains("sluice_pool_check_seconds{pool=\"primary\",role=\"primary\",status=\"healthy\",quantile=\"0.95\"}")
                    .contains("sluice_pool_breaker_state{pool=\"primary\",role=\"primary\",state=\"closed\"} 1.0");
        }
    }

    /** Reads SSE blocks until {@code count} events or comments were read: each a map of field to value, comments under "comment". */
    static List<Map<String, String>> readEvents(InputStream body, int count) {
        List<Map<String, String>> events = new ArrayList<>();
        try {
            BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
            Map<String, String> current = new HashMap<>();
            String line;
            while (events.size() < count && (line = reader.readLine()) != null) {
                if (line.isEmpty()) {
                    if (!current.isEmpty()) {
                        events.add(current);
                        current = new HashMap<>();
                    }
                } else if (line.startsWith(":")) {
                    current.put("comment", line.substring(1).trim());
                } else {
                    int colon = line.indexOf(':');
                    current.put(line.substring(0, colon), line.substring(colon + 1).trim());
                }
            }
        } catch (java.io.IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
        return events;
    }

    /** A strict reader of the Prometheus text format 0.0.4: every line must be a HELP, a TYPE or a sample of a declared family. */
    static final class PrometheusText {
        private static final Pattern TYPE = Pattern.compile("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|summary|histogram|untyped)");
        private static final Pattern HELP = Pattern.compile("# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*");
        private static final Pattern SAMPLE = Pattern.compile(
                "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\"(?:,[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\")*})?"
                        + " (NaN|[+-]Inf|[-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?)( -?[0-9]+)?");
        private static final Set<String> SUFFIXES = Set.of("", "_count", "_sum", "_bucket", "_total", "_created");

        static Map<String, String> parse(String text) {
            Map<String, String> families = new HashMap<>();
            int samples = 0;
            for (String line : text.split("\n")) {
                if (line.isEmpty() || HELP.matcher(line).matches()) {
                    continue;
                }
                Matcher type = TYPE.matcher(line);
                if (type.matches()) {
                    assertThat(families.put(type.group(1), type.group(2))).as("TYPE declared once: " + line).isNull();
                    continue;
                }
                Matcher sample = SAMPLE.matcher(line);
                assertThat(sample.matches()).as("a valid sample line: " + line).isTrue();
                String name = sample.group(1);
                assertThat(SUFFIXES.stream().anyMatch(s -> name.endsWith(s) && families.containsKey(name.substring(0, name.length() - s.length()))))
                        .as("sample of a declared family: " + line).isTrue();
                samples++;
            }
            assertThat(samples).isPositive();
            return families;
        }
    }
}
