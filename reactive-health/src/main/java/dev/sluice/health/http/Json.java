package dev.sluice.health.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.health.AlertEvent;
import dev.sluice.health.HealthReport;
import dev.sluice.health.HealthSample;
import dev.sluice.health.Readiness;
import dev.sluice.pool.check.Reading;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The endpoint's JSON documents: reports, samples, alerts and readiness. Durations are in milliseconds. Every sample
 * is rendered the same way whatever its check: its readings and details are maps.
 */
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
        ArrayNode samples = root.putArray("samples");
        for (HealthSample sample : report.samples()) {
            checks.add(check(sample));
            samples.add(sampleNode(sample));
        }
        ArrayNode alerts = root.putArray("alerts");
        report.activeAlerts().forEach(a -> alerts.add(alertNode(a)));
        return write(root);
    }

    static String starting() {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("status", "STARTING");
        root.put("ready", false);
        root.putArray("checks");
        root.putArray("samples");
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

    private static ObjectNode check(HealthSample sample) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("kind", sample.kind());
        node.put("subject", sample.name());
        node.put("status", sample.status().name());
        node.put("latencyMs", millis(sample.latency()));
        if (sample.error().isPresent()) {
            node.put("error", sample.error().get());
        } else {
            node.putNull("error");
        }
        node.put("at", sample.checkedAt().toString());
        return node;
    }

    private static ObjectNode sampleNode(HealthSample sample) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("id", sample.id());
        node.put("round", sample.round());
        node.put("at", sample.at().toString());
        node.put("kind", sample.kind());
        node.put("subject", sample.name());
        node.put("status", sample.status().name());
        node.set("check", check(sample));
        node.put("checkSuccessRate", sample.checkSuccessRate());
        node.put("checks", sample.checks());
        ObjectNode tags = node.putObject("tags");
        sample.tags().forEach(tags::put);
        ObjectNode readings = node.putObject("readings");
        for (Map.Entry<String, Reading> e : sample.readings().entrySet()) {
            ObjectNode reading = readings.putObject(e.getKey());
            reading.put("value", e.getValue().value());
            reading.put("unit", e.getValue().unit().name().toLowerCase(Locale.ROOT));
            reading.put("basis", e.getValue().basis());
        }
        ObjectNode details = node.putObject("details");
        sample.details().forEach(details::put);
        return node;
    }

    private static ObjectNode alertNode(AlertEvent event) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("id", event.id());
        node.put("state", event.state().name());
        node.put("rule", event.rule());
        node.put("severity", event.severity().name());
        node.put("kind", event.subject().kind());
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
