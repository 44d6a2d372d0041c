package dev.sluice.demo;

import dev.sluice.health.AlertEvent;
import dev.sluice.health.BucketSample;
import dev.sluice.health.ConnectionSample;
import dev.sluice.health.HealthReport;
import dev.sluice.health.PoolSample;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.function.IntSupplier;

/**
 * The demo's live view: one line per pool per round, one line for the KV bucket and NATS connections, and every alert
 * as it fires and resolves. Thread-safe: rounds and alerts arrive on different threads.
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
        for (PoolSample p : report.pools()) {
            out.printf(POOL_ROW, time, callers.getAsInt(), p.subject().name(), p.role().name().toLowerCase(Locale.ROOT), p.status(),
                    p.active(), p.max(), p.idle(), p.pending(), millis(p.acquireMean()), millis(p.acquireP95()),
                    String.format(Locale.ROOT, "%.1f%%", p.errorRate() * 100), millis(p.check().latency()), p.breakerState());
        }
        StringJoiner kv = new StringJoiner("  |  ");
        for (BucketSample b : report.buckets()) {
            kv.add("bucket " + b.subject().name() + " " + b.status() + " status " + millis(b.check().latency()).trim()
                    + ", " + b.operations() + " ops, " + b.errors() + " errors" + b.bucketStatus().map(s -> ", " + s.entries() + " entries").orElse(""));
        }
        for (ConnectionSample c : report.connections()) {
            kv.add("nats " + c.subject().name() + " " + c.state() + " rtt " + c.roundTrip().map(Console::millis).map(String::trim).orElse("n/a"));
        }
        if (kv.length() > 0) {
            out.printf("%-8s %6s  %s%n", time, "", kv);
        }
        out.flush();
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
