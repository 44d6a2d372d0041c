package dev.sluice.health.server;

import dev.sluice.pool.PgPool;
import dev.sluice.pool.SqlErrorClassifier;
import io.r2dbc.spi.Row;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the PostgreSQL server itself says about a pool: its sessions by state ({@code pg_stat_activity}) and the
 * slowest statements of its database ({@code pg_stat_statements}). Each call runs one or two small queries on a
 * connection of the pool.
 *
 * <pre>{@code
 * ServerInsight insight = ServerInsight.of(registry.pool("primary"));
 * insight.connections().block().byState();          // {active=1, idle=7}
 * insight.slowestStatements(5).block().statements(); // or unavailable(): "pg_stat_statements is not installed ..."
 * }</pre>
 */
public final class ServerInsight {

    private static final String ACTIVITY = "SELECT coalesce(state, 'unknown') AS state, count(*) AS sessions FROM pg_stat_activity"
            + " WHERE datname = current_database() AND (application_name = $1 OR application_name LIKE $2) GROUP BY 1 ORDER BY 1";
    private static final String EXTENSION = "SELECT current_database() AS database,"
            + " EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements') AS installed";
    private static final String STATEMENTS = "SELECT query, calls, mean_exec_time, max_exec_time, total_exec_time, rows FROM pg_stat_statements"
            + " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
            + " ORDER BY mean_exec_time DESC LIMIT $1";

    private final PgPool pool;

    private ServerInsight(PgPool pool) {
        this.pool = pool;
    }

    /** Insight into {@code pool}'s server and database. */
    public static ServerInsight of(PgPool pool) {
        return new ServerInsight(pool);
    }

    /**
     * The sessions of this pool on the server, by state: those whose {@code application_name} is the pool's, or the
     * pool's followed by {@code /} and an agent id (as transactions with an agent id set it), in the pool's database.
     *
     * <p>Cold: each subscription runs one query on a connection of the pool. Fails with the pool's errors
     * ({@code PoolExhaustedException}, {@code CircuitOpenException}, the server's); cancelling cancels the query.
     */
    public Mono<ConnectionStates> connections() {
        String name = pool.config().applicationName();
        return pool.query(ACTIVITY, row -> Map.entry(row.get("state", String.class), row.get("sessions", Long.class).intValue()),
                        name, escapeLike(name) + "/%")
                .collectMap(Map.Entry::getKey, Map.Entry::getValue, LinkedHashMap::new)
                .map(states -> new ConnectionStates(pool.name(), name, states, Instant.now()));
    }

    /**
     * The {@code limit} statements of the pool's database with the highest mean execution time.
     *
     * <p>Cold. Emits {@link SlowStatements#unavailable} with the reason when the extension is not installed in this
     * database ({@code CREATE EXTENSION} is per database) or not loaded by the server ({@code shared_preload_libraries}),
     * or when the role may not read it. Fails with the pool's errors otherwise; cancelling cancels the query.
     *
     * @throws IllegalArgumentException when {@code limit} is not from 1 to 1000
     */
    public Mono<SlowStatements> slowestStatements(int limit) {
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit is " + limit + "; it must be from 1 to 1000");
        }
        return pool.queryOne(EXTENSION, row -> Map.entry(row.get("database", String.class), Boolean.TRUE.equals(row.get("installed", Boolean.class))))
                .flatMap(db -> db.getValue() ? statements(db.getKey(), limit) : Mono.just(SlowStatements.unavailable(db.getKey(),
                        "pg_stat_statements is not installed in database '" + db.getKey() + "': run CREATE EXTENSION pg_stat_statements there"
                                + " (the server must also load it with shared_preload_libraries = 'pg_stat_statements')")));
    }

    private Mono<SlowStatements> statements(String database, int limit) {
        return pool.query(STATEMENTS, ServerInsight::statement, limit)
                .collectList()
                .map(list -> new SlowStatements(database, true, java.util.Optional.empty(), list))
                .onErrorResume(error -> SqlErrorClassifier.sqlState(error).filter(code -> code.equals("55000") || code.equals("42501")).isPresent(),
                        error -> Mono.just(SlowStatements.unavailable(database, "pg_stat_statements cannot be read: " + error.getMessage()
                                + (SqlErrorClassifier.sqlState(error).orElse("").equals("55000")
                                ? " (add pg_stat_statements to the server's shared_preload_libraries and restart it)"
                                : " (grant the role pg_read_all_stats)"))));
    }

    private static SlowStatements.Statement statement(Row row) {
        return new SlowStatements.Statement(row.get("query", String.class), row.get("calls", Long.class),
                millis(row.get("mean_exec_time", Double.class)), millis(row.get("max_exec_time", Double.class)),
                millis(row.get("total_exec_time", Double.class)), row.get("rows", Long.class));
    }

    private static Duration millis(Double value) {
        return value == null ? Duration.ZERO : Duration.ofNanos(Math.round(value * 1_000_000));
    }

    private static String escapeLike(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    @Override
    public String toString() {
        return "ServerInsight[" + pool.name() + "]";
    }
}
