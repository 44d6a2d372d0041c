package dev.sluice.bench.scenario;

import dev.sluice.bench.Progress;
import dev.sluice.bench.load.LoadPlan;
import dev.sluice.bench.load.LoadSystem;
import dev.sluice.bench.load.Measurement;
import dev.sluice.bench.report.MarkdownReport;
import dev.sluice.bench.report.SystemResult;
import dev.sluice.bench.system.CountsOperations;
import dev.sluice.bench.system.PgActivity;
import dev.sluice.bench.system.PgActivityProbe;
import dev.sluice.testkit.TestDatabase;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What each system of a scenario made PostgreSQL do per operation: transactions committed and rows written, from
 * {@code pg_stat_database} and {@code pg_stat_user_tables} read before and after each of its turns, divided by the
 * operations it completed in those turns ({@link CountsOperations}).
 *
 * <p>A turn is counted from before its client opens to after it has closed and every one of its sessions has ended,
 * since a session hands its counts to the server only now and then while it works (at most once a second) and in
 * full when it ends: counters read while the sessions are still open, at the edges of the measurement window, would
 * be a second behind on every connection. Opening and closing the client, and the warm-up, are therefore counted with
 * the operations they carried; the systems set up what lasts (tables, schemas, the bucket) before their turns.
 * Nothing else may use the database during the turns.
 */
final class PgWriteAccounting implements AutoCloseable {

    /** The details key of the counts in a system's result. */
    static final String DETAILS_KEY = MarkdownReport.POSTGRES_DETAILS;
    private static final Duration SESSIONS_END_WAIT = Duration.ofSeconds(30);

    private final PgActivityProbe probe;
    private final Map<String, PgActivity> activity = new LinkedHashMap<>();
    private final Map<String, Long> operations = new LinkedHashMap<>();
    private final Set<String> late = new LinkedHashSet<>();

    private PgWriteAccounting(PgActivityProbe probe) {
        this.probe = probe;
    }

    /** Starts accounting on {@code database}, with a connection of its own. */
    static PgWriteAccounting open(TestDatabase database) throws SQLException {
        return new PgWriteAccounting(PgActivityProbe.open(database));
    }

    /** {@code system}, its turns counted. */
    <S extends LoadSystem & CountsOperations> LoadSystem counting(S system) {
        return new Counted<>(system);
    }

    /**
     * {@code results} with each counted system's counts per operation in its details under {@value #DETAILS_KEY}
     * (see {@link PgActivity#perOperation}); a system at whose turns sessions outlived the wait is marked
     * {@code lateSessions}.
     */
    List<SystemResult> withCounts(List<SystemResult> results) {
        List<SystemResult> counted = new ArrayList<>();
        for (SystemResult r : results) {
            PgActivity a = activity.get(r.name());
            if (a == null || !r.measured()) {
                counted.add(r);
                continue;
            }
            Map<String, Object> pg = new LinkedHashMap<>(a.perOperation(operations.get(r.name())));
            if (late.contains(r.name())) {
                pg.put("lateSessions", "sessions were still open " + SESSIONS_END_WAIT.toSeconds()
                        + " s after the start or end of a turn; the counts may be about a second of their work off");
            }
            Map<String, Object> details = new LinkedHashMap<>(r.details());
            details.put(DETAILS_KEY, pg);
            counted.add(new SystemResult(r.name(), r.opsPerSec(), r.p50Ms(), r.p99Ms(), r.maxMs(), r.errors(), r.peakThreads(),
                    r.heapBytes(), r.skipped(), details));
        }
        return counted;
    }

    /** The counts of one system in {@code results}, as {@link #withCounts} put them. */
    @SuppressWarnings("unchecked")
    static Optional<Map<String, Object>> counts(SystemResult result) {
        return result.details().get(DETAILS_KEY) instanceof Map<?, ?> m ? Optional.of((Map<String, Object>) m) : Optional.empty();
    }

    private void endOfSessions(String system) throws SQLException, InterruptedException {
        if (!probe.awaitNoOtherSessions(SESSIONS_END_WAIT)) {
            late.add(system);
        }
    }

    @Override
    public void close() throws SQLException {
        probe.close();
    }

    private final class Counted<S extends LoadSystem & CountsOperations> implements LoadSystem {

        private final S system;

        Counted(S system) {
            this.system = system;
        }

        @Override
        public String name() {
            return system.name();
        }

        @Override
        public Optional<String> unavailable() {
            return system.unavailable();
        }

        @Override
        public boolean runsInThisJvm() {
            return system.runsInThisJvm();
        }

        @Override
        public Object jitKey() {
            return system.jitKey();
        }

        @Override
        public Measurement measure(LoadPlan plan, Progress progress) throws Exception {
            endOfSessions(name());
            PgActivity before = probe.read();
            long operationsBefore = system.operationsCompleted();
            try {
                return system.measure(plan, progress);
            } finally {
                endOfSessions(name());
                PgActivity turn = probe.read().since(before);
                activity.merge(name(), turn, PgActivity::plus);
                operations.merge(name(), system.operationsCompleted() - operationsBefore, Long::sum);
            }
        }
    }
}
