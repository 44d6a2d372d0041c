package dev.sluice.health.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.health.AlertEvent;
import dev.sluice.health.BucketSample;
import dev.sluice.health.CheckResult;
import dev.sluice.health.ConnectionSample;
import dev.sluice.health.HealthReport;
import dev.sluice.health.HealthSample;
import dev.sluice.health.PoolSample;
import dev.sluice.health.Readiness;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;

/** The endpoint's JSON documents: reports, samples, alerts and readiness. Durations are in milliseconds. */
final class Json {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    static String report(HealthReport report) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("status", report.status().name());
        root.put("ready", report.readiness().ready());
        root.put("round", report.round());
        root.put("at", report.at().toString());
        ArrayNode checks = root.putArray("checks");
        for (HealthSample sample : report.samples()) {
            checks.add(check(sample.check()));
        }
        ArrayNode pools = root.putArray("pools");
        report.pools().forEach(s -> pools.add(sampleNode(s)));
        ArrayNode buckets = root.putArray("buckets");
        report.buckets().forEach(s -> buckets.add(sampleNode(s)));
        ArrayNode connections = root.putArray("connections");
        report.connections().forEach(s -> connections.add(sampleNode(s)));
        ArrayNode alerts = root.putArray("alerts");
        report.activeAlerts().forEach(a -> alerts.add(alertNode(a)));
        return write(root);
    }

    static String starting() {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("status", "STARTING");
        root.put("ready", false);
        root.putArray("checks");
        return write(root);
    }

    static String live() {
        return write(MAPPER.createObjectNode().put("status", "UP"));
    }

    static String readiness(Readiness readiness) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("status", readiness.ready() ? "READY" : "NOT_READY");
        ArrayNode reasons = root.putArray("reasons");
        readiness.reasons().forEach(reasons::add);
        return write(root);
    }

    static String error(int status, String message, List<String> paths) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("status", status);
        root.put("error", message);
        ArrayNode known = root.putArray("paths");
        paths.forEach(known::add);
        return write(root);
    }

    static String sample(HealthSample sample) {
        return write(sampleNode(sample));
    }

    static String alert(AlertEvent event) {
        return write(alertNode(event));
    }

    private static ObjectNode check(CheckResult check) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("kind", check.subject().kind().label());
        node.put("subject", check.subject().name());
        node.put("status", check.status().name());
        node.put("latencyMs", millis(check.latency()));
        if (check.error().isPresent()) {
            node.put("error", check.error().get());
        } else {
            node.putNull("error");
        }
        node.put("at", check.at().toString());
        return node;
    }

    private static ObjectNode sampleNode(HealthSample sample) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("id", sample.id());
        node.put("round", sample.round());
        node.put("at", sample.at().toString());
        node.put("kind", sample.subject().kind().label());
        node.put("subject", sample.subject().name());
        node.put("status", sample.status().name());
        node.set("check", check(sample.check()));
        node.put("checkSuccessRate", sample.checkSuccessRate());
        node.put("checks", sample.checks());
        if (sample instanceof PoolSample p) {
            node.put("role", p.role().name());
            node.put("allocated", p.allocated());
            node.put("active", p.active());
            node.put("idle", p.idle());
            node.put("pending", p.pending());
            node.put("max", p.max());
            node.put("utilisation", p.utilisation());
            node.put("acquireP95Ms", millis(p.acquireP95()));
            node.put("acquireMeanMs", millis(p.acquireMean()));
            node.put("acquires", p.acquires());
            node.put("errors", p.errors());
            node.put("errorRate", p.errorRate());
            node.put("attempts", p.attempts());
            node.put("breaker", p.breakerState().name());
        } else if (sample instanceof BucketSample b) {
            node.put("bucket", b.bucket());
            b.bucketStatus().ifPresent(st -> {
                node.put("entries", st.entries());
                node.put("bytes", st.bytes());
            });
            node.put("operations", b.operations());
            node.put("errors", b.errors());
            node.put("errorRate", b.errorRate());
            node.put("operationsInWindow", b.operationsInWindow());
        } else if (sample instanceof ConnectionSample c) {
            node.put("state", c.state());
            c.server().ifPresent(server -> node.put("server", server));
            c.roundTrip().ifPresent(rtt -> node.put("roundTripMs", millis(rtt)));
            node.put("reconnects", c.reconnects());
            node.put("operations", c.operations());
            node.put("inFlight", c.inFlight());
        }
        return node;
    }

    private static ObjectNode alertNode(AlertEvent event) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("id", event.id());
        node.put("state", event.state().name());
        node.put("rule", event.rule());
        node.put("severity", event.severity().name());
        node.put("kind", event.subject().kind().label());
        node.put("subject", event.subject().name());
        node.put("metric", event.metric());
        number(node, "value", event.value());
        node.put("fireAt", event.fireAt());
        node.put("resolveAt", event.resolveAt());
        number(node, "peak", event.peak());
        node.put("startedAt", event.startedAt().toString());
        if (event.endedAt().isPresent()) {
            node.put("endedAt", event.endedAt().get().toString());
        } else {
            node.putNull("endedAt");
        }
        node.put("notification", event.notification());
        node.put("at", event.at().toString());
        node.put("summary", event.summary());
        return node;
    }

    private static void number(ObjectNode node, String field, double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            node.putNull(field);
        } else {
            node.put(field, value);
        }
    }

    private static double millis(Duration duration) {
        return Math.round(duration.toNanos() / 1_000.0) / 1_000.0;
    }

    private static String write(ObjectNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
