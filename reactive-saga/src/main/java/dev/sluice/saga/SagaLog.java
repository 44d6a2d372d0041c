package dev.sluice.saga;

import dev.sluice.pool.PgPool;
import dev.sluice.saga.internal.LogWriter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The durable saga log in PostgreSQL: each saga's input, state, owner and lease; each step's start, pre-image,
 * result, completion and compensation with timestamps; and the manual-intervention queue.
 *
 * <p>The tables come from migrations shipped in the module ({@link #MIGRATIONS}), applied
 * only when {@link #migrate()} is called (or by your own migration tool, after substituting {@code {schema}} and
 * {@code {prefix}}). SQL steps record their completion in the transaction of their effect, so the log must live in
 * the database they write to.
 */
public final class SagaLog {

    /** The first migration's resource path: the saga, step and intervention tables. */
    public static final String MIGRATION = "dev/sluice/saga/V1__saga_log.sql";

    /**
     * The migrations' resource paths in the order they apply; the second adds the two-phase and outbox tables, the
     * third lets an outbox row carry a delete (no value), the fourth drops the step table's foreign key, the fifth
     * adds the indexes {@link #purge} reads through.
     */
    public static final List<String> MIGRATIONS = List.of(MIGRATION, "dev/sluice/saga/V2__coordination.sql",
            "dev/sluice/saga/V3__outbox_delete.sql", "dev/sluice/saga/V4__step_key_check.sql", "dev/sluice/saga/V5__purge_indexes.sql");

    private final PgPool pool;
    private final SagaLogConfig config;
    private final LogWriter writer;

    private SagaLog(PgPool pool, SagaLogConfig config) {
        this.pool = pool;
        this.config = config;
        this.writer = new LogWriter(pool, config.schema(), config.tablePrefix());
    }

    /** A log on {@code pool} in the schema and with the table prefix of {@code config}. Nothing is sent yet. */
    public static SagaLog create(PgPool pool, SagaLogConfig config) {
        return new SagaLog(Objects.requireNonNull(pool, "pool"), Objects.requireNonNull(config, "config"));
    }

    /** A log on {@code pool} with {@link SagaLogConfig#DEFAULT}. */
    public static SagaLog create(PgPool pool) {
        return create(pool, SagaLogConfig.DEFAULT);
    }

    /** The configuration. */
    public SagaLogConfig config() {
        return config;
    }

    /** The pool of the log's database. */
    public PgPool pool() {
        return pool;
    }

    /**
     * Creates the schema and tables when absent, in one transaction under an advisory lock (so instances starting
     * together do not race). Idempotent.
     *
     * @return a cold Mono completing when the log is ready; it fails with the server's error (such as a missing
     *         {@code CREATE} privilege). Cancelling rolls the transaction back.
     */
    public Mono<Void> migrate() {
        List<String> statements = statements();
        return pool.inTransaction(tx -> tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", row -> 1,
                        "sluice-saga-migration:" + config.schema())
                .thenMany(Flux.fromIterable(statements).concatMap(tx::update)))
                .then();
    }

    /** The migrations' statements, in order, with the schema and prefix filled in. */
    public List<String> statements() {
        return MIGRATIONS.stream().flatMap(migration -> statements(migration).stream()).toList();
    }

    private List<String> statements(String migration) {
        String text;
        try (InputStream in = SagaLog.class.getResourceAsStream("/" + migration)) {
            if (in == null) {
                throw new IllegalStateException("the saga log migration " + migration + " is missing from the class path");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String sql = text.replace("{schema}", config.schema()).replace("{prefix}", config.tablePrefix());
        return Arrays.stream(sql.split(";\\s*\\n")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /**
     * Deletes up to {@code limit} sagas that ended {@code COMPLETED} or {@code ROLLED_BACK} more than {@code olderThan}
     * ago, with their steps and the rest of their log (prepared-transaction records, delivered outbox rows, resolved
     * queue entries). Sagas still running, in the manual-intervention queue ({@code COMPENSATION_FAILED}) or with
     * outbox rows not yet delivered are kept. Call it again until it deletes fewer than {@code limit}: each call is one
     * short transaction, which finds them through an index on the end time (migration V5) and their outbox and
     * prepared-transaction rows through indexes on the saga id. Run it from a maintenance job, not per request.
     *
     * @return a cold Mono emitting how many sagas were deleted
     * @throws IllegalArgumentException when {@code olderThan} is negative or {@code limit} is below 1
     */
    public Mono<Long> purge(Duration olderThan, int limit) {
        if (olderThan == null || olderThan.isNegative()) {
            throw new IllegalArgumentException("purge olderThan must be zero or more, got " + olderThan
                    + "; pass how long finished sagas stay in the log, such as Duration.ofDays(7)");
        }
        if (limit < 1) {
            throw new IllegalArgumentException("purge limit must be at least 1, got " + limit + "; pass how many sagas one call may delete, such as 1000");
        }
        return writer.sagas().purge(olderThan, limit);
    }

    /** The prefix of the global ids of this log's prepared transactions (in {@code pg_prepared_xacts}). */
    public String preparedGidPrefix() {
        return "sluice-saga:" + config.schema() + "." + config.tablePrefix() + "saga:";
    }

    LogWriter writer() {
        return writer;
    }

    @Override
    public String toString() {
        return "SagaLog[" + config.schema() + "." + config.tablePrefix() + "saga on pool '" + pool.name() + "']";
    }
}
