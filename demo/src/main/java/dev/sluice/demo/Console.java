package dev.sluice.demo;

import dev.sluice.health.AlertEvent;
import dev.sluice.health.HealthReport;
import dev.sluice.health.HealthSample;
import dev.sluice.health.Subject;
import dev.sluice.pool.check.Reading;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.IntSupplier;

/**
 * The demo's live view: one line per pool per round, one line for every other check (KV buckets, NATS connections,
 * the saga log, anything else the monitor runs) with its status, latency and readings, and every alert as it fires and
 * resolves. Thread-safe: rounds and alerts arrive on different threads.
 */
final class Console {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
    private static final String POOL_ROW = "%-8s %6s  %-10s %-9s %-9s %5s %5s %5s %5s %9s %9s %6s %8s  %s%n";

    private final PrintStream out;
    private final IntSupplier callers;

    Console(PrintStream out, IntSupplier callers) {
        this.out = out;
        this.callers = callers;
    }

    synchronized void header() {
        out.printf(POOL_ROW, "time", "load", "pool", "role", "status", "busy", "max", "idle", "wait", "acq avg", "acq p95", "err", "check", "breaker");
    }

    synchronized void round(HealthReport report) {
        String time = TIME.format(report.at());
        for (HealthSample p : report.pools()) {
            out.printf(POOL_ROW, time, callers.getAsInt(), p.name(), p.detail(HealthSample.ROLE).orElse("").toLowerCase(Locale.ROOT), p.status(),
                    count(p, "pool.connections.active"), count(p, "pool.connections.max"), count(p, "pool.connections.idle"),
                    count(p, "pool.connections.pending"), formatted(p, "pool.acquire.mean"), formatted(p, "pool.acquire.p95"),
                    formatted(p, "pool.error.rate"), millis(p.latency()), p.detail(HealthSample.BREAKER).orElse("?"));
        }
        StringJoiner others = new StringJoiner("  |  ");
        for (HealthSample s : report.samples()) {
            if (!s.kind().equals(Subject.POOL)) {
                others.add(other(s));
            }
        }
        if (others.length() > 0) {
            out.printf("%-8s %6s  %s%n", time, "", others);
        }
        out.flush();
    }

    /** Any check, read generically: {@code kv sessions HEALTHY 0.9 ms, kv.watches 0, kv.bucket.entries 199}. */
    private static String other(HealthSample s) {
        StringJoiner line = new StringJoiner(", ", s.kind() + " " + s.name() + " " + s.status() + " " + millis(s.latency()).trim()
                + (s.readings().isEmpty() ? "" : ", "), s.error().map(e -> " (" + e + ")").orElse(""));
        for (Map.Entry<String, Reading> r : s.readings().entrySet()) {
            line.add(r.getKey().substring(r.getKey().startsWith(s.kind() + ".") ? s.kind().length() + 1 : 0) + " " + r.getValue().formatted());
        }
        return line.toString();
    }

    private static String count(HealthSample s, String reading) {
        double v = s.value(reading);
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.0f", v);
    }

    private static String formatted(HealthSample s, String reading) {
        return s.reading(reading).map(Reading::formatted).orElse("-");
    }

    synchronized void alert(AlertEvent event) {
        String arrow = event.state() == AlertEvent.State.FIRING ? ">>> FIRING  " : "<<< RESOLVED";
        out.printf("%-8s %s %s%n", TIME.format(event.at()), arrow, event.summary());
        out.flush();
    }

    synchronized void line(String text) {
        out.println(text);
        out.flush();
    }

    static String time(Instant at) {
        return TIME.format(at);
    }

    static String millis(Duration d) {
        double ms = d.toNanos() / 1_000_000.0;
        return ms < 10 ? String.format(Locale.ROOT, "%.1f ms", ms) : String.format(Locale.ROOT, "%.0f ms", ms);
    }
}
