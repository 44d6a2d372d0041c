package dev.sluice.saga;

import dev.sluice.pool.PgPool;
import dev.sluice.saga.internal.LogWriter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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
     * third lets an outbox row carry a delete (no value).
     */
    public static final List<String> MIGRATIONS = List.of(MIGRATION, "dev/sluice/saga/V2__coordination.sql",
            "dev/sluice/saga/V3__outbox_delete.sql");

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
        try (InputStream in = SagaLog.class.getClassLoader().getResourceAsStream(migration)) {
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
