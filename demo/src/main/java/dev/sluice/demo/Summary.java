package dev.sluice.demo;

import dev.sluice.health.AlertEvent;
import dev.sluice.health.HealthMonitor;
import dev.sluice.health.server.ConnectionStates;
import dev.sluice.health.server.ServerInsight;
import dev.sluice.health.server.SlowStatements;
import dev.sluice.pool.PgPool;
import dev.sluice.pool.PoolStats;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The one-screen summary printed when the demo ends: work done, alerts raised, pools, trend and the server's view. */
final class Summary {

    private static final Duration SERVER_QUERY_LIMIT = Duration.ofSeconds(5);

    private Summary() {
    }

    static void print(Console console, Duration ran, HealthMonitor monitor, Workload workload, List<AlertEvent> alerts) {
        console.line("");
        console.line("── summary " + "─".repeat(70));
        console.line(String.format(Locale.ROOT, "ran %.1f s: %d health rounds, load peaked at %d concurrent callers",
                ran.toMillis() / 1000.0, monitor.rounds(), workload.peakCallers()));
        StringBuilder work = new StringBuilder("work:");
        workload.counts().forEach((name, c) -> {
            work.append(' ').append(name).append(' ').append(c.ok.sum()).append(" ok");
            if (c.failed() > 0) {
                work.append(" / ").append(c.failed()).append(" failed (").append(c.failures.entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue().sum()).collect(Collectors.joining(", "))).append(')');
            }
            work.append(';');
        });
        console.line(work.substring(0, work.length() - 1));
        long fired = alerts.stream().filter(a -> a.state() == AlertEvent.State.FIRING && a.notification() == 1).count();
        long resolved = alerts.stream().filter(a -> a.state() == AlertEvent.State.RESOLVED).count();
        console.line("alerts: " + fired + " fired, " + resolved + " resolved, " + monitor.activeAlerts().size() + " still firing");
        for (AlertEvent a : alerts) {
            if (a.state() == AlertEvent.State.RESOLVED) {
                console.line(String.format(Locale.ROOT, "  %-28s %-18s %s → %s (%s), peak %s", a.rule(), a.subject(), Console.time(a.startedAt()),
                        Console.time(a.endedAt().orElseThrow()), words(a.duration()), peak(monitor, a)));
            }
        }
        for (AlertEvent a : monitor.activeAlerts()) {
            console.line(String.format(Locale.ROOT, "  %-28s %-18s %s → still firing, peak %s", a.rule(), a.subject(), Console.time(a.startedAt()), peak(monitor, a)));
        }
        for (PgPool pool : monitor.registry().pools()) {
            PoolStats s = pool.stats();
            String trend = monitor.trend(pool.name()).map(t -> String.format(Locale.ROOT, "utilisation trend %+.1f%%/min over %d samples%s",
                    t.slopePerMinute() * 100, t.samples(), t.timeToExhaustion().map(d -> d.isZero() ? ", full now" : ", full in " + words(d) + " at that rate").orElse("")))
                    .orElse("no trend yet");
            console.line(String.format(Locale.ROOT, "pool %-10s %d acquires, mean wait %s, p95 %s, max %s, %d timed out; %s", pool.name(),
                    s.acquireCount(), Console.millis(s.acquireMean()).trim(), Console.millis(s.acquireLatency().p95()).trim(), Console.millis(s.acquireLatency().max()).trim(),
                    s.acquireTimeouts(), trend));
        }
        serverView(console, monitor.registry().writes());
    }

    private static void serverView(Console console, PgPool primary) {
        try {
            ServerInsight insight = ServerInsight.of(primary);
            ConnectionStates states = insight.connections().block(SERVER_QUERY_LIMIT);
            console.line("server: sessions of " + states.applicationName() + " by state " + states.byState());
            SlowStatements slowest = insight.slowestStatements(3).block(SERVER_QUERY_LIMIT);
            if (!slowest.available()) {
                console.line("server: " + slowest.unavailable().orElse("pg_stat_statements unavailable"));
                return;
            }
            console.line("server: slowest statements by mean time (pg_stat_statements):");
            for (SlowStatements.Statement st : slowest.statements()) {
                console.line(String.format(Locale.ROOT, "  %9s × %-6d %s", Console.millis(st.mean()), st.calls(), oneLine(st.query())));
            }
        } catch (RuntimeException e) {
            console.line("server: no answer (" + e.getMessage() + ")");
        }
    }

    private static String peak(HealthMonitor monitor, AlertEvent a) {
        return monitor.config().rules().rule(a.rule()).map(r -> r.metric().format(a.peak())).orElse(Double.toString(a.peak()));
    }

    private static String words(Duration d) {
        return d.toMillis() < 60_000 ? String.format(Locale.ROOT, "%.0f s", d.toMillis() / 1000.0) : d.toMinutes() + " min " + d.toSecondsPart() + " s";
    }

    private static String oneLine(String sql) {
        String flat = sql.replaceAll("\\s+", " ").trim();
        return flat.length() > 90 ? flat.substring(0, 87) + "..." : flat;
    }
}
