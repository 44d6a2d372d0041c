package dev.sluice.health.server;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The slowest statements of a database by mean execution time, from {@code pg_stat_statements}, or why they are not
 * available.
 *
 * @param database     the database asked
 * @param available    whether {@code pg_stat_statements} answered
 * @param unavailable  when not available: why, and what to do
 * @param statements   the slowest first (empty when not available)
 */
public record SlowStatements(String database, boolean available, Optional<String> unavailable, List<Statement> statements) {

    /**
     * One normalized statement's totals since the statistics were last reset.
     *
     * @param query the statement as {@code pg_stat_statements} normalizes it (constants replaced by {@code $n})
     * @param calls times it ran
     * @param mean  mean execution time
     * @param max   longest execution time
     * @param total execution time of all calls together
     * @param rows  rows returned or changed, all calls together
     */
    public record Statement(String query, long calls, Duration mean, Duration max, Duration total, long rows) {
    }

    /** Copies the list. */
    public SlowStatements {
        statements = List.copyOf(statements);
    }

    /** The answer when the extension cannot be read, with the reason. */
    public static SlowStatements unavailable(String database, String reason) {
        return new SlowStatements(database, false, Optional.of(reason), List.of());
    }
}
