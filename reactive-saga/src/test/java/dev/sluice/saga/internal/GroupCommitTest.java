package dev.sluice.saga.internal;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.sluice.pool.PgPool;
import dev.sluice.pool.PgPoolConfig;
import dev.sluice.pool.SslMode;
import dev.sluice.saga.SagaLeaseLostException;
import dev.sluice.saga.SagaLog;
import dev.sluice.saga.SagaLogConfig;
import dev.sluice.testkit.PostgresServer;
import dev.sluice.testkit.SluiceExtension;
import dev.sluice.testkit.TestDatabase;
import io.r2dbc.spi.R2dbcDataIntegrityViolationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The group-committed writes of the saga log against a real PostgreSQL. */
@ExtendWith(SluiceExtension.class)
class GroupCommitTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String SCHEMA = "group_commit";

    private TestDatabase db;
    private PgPool pool;
    private LogWriter writer;
    private GroupStatement statement;

    @BeforeEach
    void open(TestDatabase db) {
        this.db = db;
        this.pool = PgPool.create(PgPoolConfig.builder("group-commit").host(db.host()).port(db.port()).database(db.database())
                .user(db.user()).password(db.password()).sslMode(SslMode.DISABLE).maxConnections(8).build());
        PostgresServer.execute(db, "DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        SagaLog.create(pool, new SagaLogConfig(SCHEMA, "")).migrate().block(WAIT);
        this.writer = new LogWriter(pool, SCHEMA, "");
        this.statement = new GroupStatement(TableNames.of(SCHEMA, ""));
    }

    @AfterEach
    void close() {
        pool.stop().block(WAIT);
    }

    private Map<LogWrite, Throwable> write(LogWrite... writes) {
        return pool.withConnection(c -> statement.apply(c, List.of(writes))).single().block(WAIT);
    }

    private String query(String sql) {
        return PostgresServer.queryString(db, sql);
    }

    private static LogWrite.SagaInserted saga(UUID id, String owner) {
        return new LogWrite.SagaInserted(id, "group", 1, id.toString(), "{\"n\": 1}", owner, 60_000);
    }

    @Test
    void oneStatementAppliesEveryOwnedWriteAndRefusesTheOthersOneByOne() {
        UUID mine = UUID.randomUUID();
        UUID theirs = UUID.randomUUID();
        assertThat(write(saga(mine, "me"), saga(theirs, "other"))).isEmpty();

        LogWrite.StepStarted started = new LogWrite.StepStarted(mine, "me", "s1", 0, "{\"pre\": true}");
        LogWrite.StepStarted foreignStart = new LogWrite.StepStarted(theirs, "me", "s1", 0, null);
        LogWrite.StepCompleted missing = new LogWrite.StepCompleted(mine, "me", "never-started", "{}");
        LogWrite.SagaCompleted foreignEnd = new LogWrite.SagaCompleted(theirs, "me");
        Map<LogWrite, Throwable> refused = write(started, foreignStart, missing, foreignEnd);

        assertThat(refused).containsOnlyKeys(foreignStart, missing, foreignEnd);
        assertThat(refused.get(foreignStart)).isInstanceOf(SagaLeaseLostException.class);
        assertThat(refused.get(foreignEnd)).isInstanceOf(SagaLeaseLostException.class);
        assertThat(refused.get(missing)).isInstanceOf(IllegalStateException.class).hasMessageContaining("never-started");
        assertThat(query("SELECT state || ' ' || pre_image::text FROM " + SCHEMA + ".saga_step WHERE saga_id = '" + mine + "'"))
                .isEqualTo("STARTED {\"pre\": true}");
        assertThat(query("SELECT count(*) FROM " + SCHEMA + ".saga_step WHERE saga_id = '" + theirs + "'")).isEqualTo("0");
        assertThat(query("SELECT state FROM " + SCHEMA + ".saga WHERE saga_id = '" + theirs + "'")).isEqualTo("RUNNING");

        assertThat(write(new LogWrite.StepCompleted(mine, "me", "s1", "{\"revision\": 7}"), new LogWrite.SagaCompleted(mine, "me")))
                .isEmpty();
        assertThat(query("SELECT state || ' ' || result::text FROM " + SCHEMA + ".saga_step WHERE saga_id = '" + mine + "'"))
                .isEqualTo("COMPLETED {\"revision\": 7}");
        assertThat(query("SELECT state || ' ' || (lease_until IS NULL) || ' ' || (finished_at IS NOT NULL) FROM " + SCHEMA
                + ".saga WHERE saga_id = '" + mine + "'")).isEqualTo("COMPLETED true true");
    }

    /**
     * Holds a lock on a saga's row from another connection, so that the lane's statement (a step write fenced on that
     * row) waits; queues {@code inserts} (and {@code extra}) behind it; then releases the lock. Emits the futures of
     * the queued writes, the blocked write's last.
     */
    private List<CompletableFuture<Void>> queueBehindABusyLane(GroupCommit group, List<UUID> inserts, LogWrite extra) throws Exception {
        UUID blocked = UUID.randomUUID();
        group.submit(saga(blocked, "me")).block(WAIT);
        List<CompletableFuture<Void>> queued = new ArrayList<>();
        CompletableFuture<Void> first;
        try (Connection holder = PostgresServer.openJdbc(db)) {
            holder.setAutoCommit(false);
            try (PreparedStatement lock = holder.prepareStatement("SELECT 1 FROM " + SCHEMA + ".saga WHERE saga_id = ? FOR UPDATE")) {
                lock.setObject(1, blocked);
                lock.executeQuery().close();
            }
            first = group.submit(new LogWrite.StepStarted(blocked, "me", "s1", 0, null)).toFuture();
            dev.sluice.testkit.Await.until("the lane's statement waits for the lock", WAIT, () -> "1".equals(query(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'WITH fence AS%'")));
            for (UUID id : inserts) {
                queued.add(group.submit(saga(id, "me")).toFuture());
            }
            if (extra != null) {
                queued.add(group.submit(extra).toFuture());
            }
            assertThat(first).isNotDone();
            holder.rollback();
        }
        first.get(30, TimeUnit.SECONDS);
        return queued;
    }

    private List<UUID> ids(int n) {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(UUID.randomUUID());
        }
        return ids;
    }

    /** How many transactions inserted these sagas' rows (rows of one statement share their {@code xmin}). */
    private String insertingTransactions(List<UUID> ids) {
        return query("SELECT count(DISTINCT xmin::text) FROM " + SCHEMA + ".saga WHERE saga_id IN ("
                + ids.stream().map(id -> "'" + id + "'").collect(Collectors.joining(", ")) + ")");
    }

    @Test
    void writesQueuedWhileTheLaneIsBusyShareOneStatement() throws Exception {
        List<UUID> fresh = ids(20);
        List<CompletableFuture<Void>> queued = queueBehindABusyLane(new GroupCommit(pool, statement, 1), fresh, null);
        CompletableFuture.allOf(queued.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        assertThat(insertingTransactions(fresh)).isEqualTo("1");
    }

    @Test
    void aStatementThatFailsIsSplitSoOnlyTheBadWriteFails() throws Exception {
        List<UUID> fresh = ids(20);
        UUID existing = UUID.randomUUID();
        write(saga(existing, "me"));
        List<CompletableFuture<Void>> queued = queueBehindABusyLane(new GroupCommit(pool, statement, 1), fresh, saga(existing, "me"));
        CompletableFuture<Void> duplicate = queued.remove(queued.size() - 1);
        CompletableFuture.allOf(queued.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        assertThat(duplicate).failsWithin(WAIT).withThrowableThat().havingRootCause()
                .isInstanceOf(R2dbcDataIntegrityViolationException.class);
        assertThat(insertingTransactions(fresh)).isEqualTo("20");
    }

    @Test
    void aSagasWritesCommitInTheOrderTheyWereMadeEvenWhenMadeAtOnce() {
        UUID id = UUID.randomUUID();
        writer.sagas().insert(id, "group", 1, "c", TextNode.valueOf("in"), "me", Duration.ofMinutes(1)).block(WAIT);
        Flux.merge(writer.steps().started(id, "me", "s1", 0, null),
                        writer.steps().completed(id, "me", "s1", TextNode.valueOf("done")),
                        writer.sagaFinished(id, "me", SagaState.COMPLETED, null, List.of()))
                .then().block(WAIT);
        assertThat(query("SELECT state || ' ' || result::text FROM " + SCHEMA + ".saga_step WHERE saga_id = '" + id + "'"))
                .isEqualTo("COMPLETED \"done\"");
        assertThat(query("SELECT state FROM " + SCHEMA + ".saga WHERE saga_id = '" + id + "'")).isEqualTo("COMPLETED");
    }

    @Test
    void aRenewalExtendsOnlyTheRunningSagasItsOwnerHolds() {
        UUID mine = UUID.randomUUID();
        UUID theirs = UUID.randomUUID();
        UUID finished = UUID.randomUUID();
        assertThat(write(new LogWrite.SagaInserted(mine, "group", 1, "c", "{}", "me", 1_000),
                new LogWrite.SagaInserted(theirs, "group", 1, "c", "{}", "other", 1_000),
                new LogWrite.SagaInserted(finished, "group", 1, "c", "{}", "me", 1_000))).isEmpty();
        assertThat(write(new LogWrite.SagaCompleted(finished, "me"))).isEmpty();

        assertThat(writer.sagas().renew("me", List.of(mine, theirs, finished), Duration.ofMinutes(10)).block(WAIT)).isEqualTo(1L);

        assertThat(query("SELECT string_agg(owner_id || ':' || state || ':' || coalesce((lease_until > now() + interval '5 minutes')::text, 'none'), ',' "
                + "ORDER BY owner_id, state) FROM " + SCHEMA + ".saga WHERE saga_id IN ('" + mine + "', '" + theirs + "', '" + finished + "')"))
                .isEqualTo("me:COMPLETED:none,me:RUNNING:true,other:RUNNING:false");
    }

    /**
     * The hot statements (group commit, a SQL step's record, lease renewal) must find rows through the primary keys whatever plan PostgreSQL caches for them. A
     * connection caches a generic plan for a prepared statement after a few runs; planned while the log is small, a
     * join of the parameter arrays with a log table chose a sequential scan and a hash join, which then read the
     * whole log on every write as it grew. The generic plans are taken here with a few hundred rows in the log, the
     * size at which that happened.
     */
    @Test
    void theHotStatementsUseThePrimaryKeysEvenInGenericPlans() throws Exception {
        int seeded = 0;
        for (int size : new int[]{0, 3, 40, 300, 2_000}) {
            PostgresServer.execute(db, "INSERT INTO " + SCHEMA + ".saga (saga_id, name, version, correlation_id, input, state, owner_id) "
                    + "SELECT gen_random_uuid(), 'seed', 1, 'c', '{}', 'COMPLETED', 'me' FROM generate_series(1, " + (size - seeded) + "); "
                    + "INSERT INTO " + SCHEMA + ".saga_step (saga_id, step_id, position, state) SELECT saga_id, 's1', 0, 'COMPLETED' FROM "
                    + SCHEMA + ".saga ON CONFLICT DO NOTHING");
            seeded = size;
            assertThat(genericPlan(statement.all(), java.util.Collections.nCopies(19, "'{}'"))).as("with %d sagas", size).doesNotContain("Seq Scan");
            assertThat(genericPlan(writer.sagas().renewStatement(), List.of("'me'", "1000", "'{}'"))).as("with %d sagas", size).doesNotContain("Seq Scan");
            for (boolean finish : new boolean[]{false, true}) {
                assertThat(genericPlan(writer.steps().recordStatement(finish), List.of("'" + UUID.randomUUID() + "'", "'me'", "'s1'", "0", "'{}'",
                        String.valueOf(finish), "'s0'", "'{}'"))).as("with %d sagas", size).doesNotContain("Seq Scan");
            }
        }
    }

    /**
     * A purge finds old finished sagas through the end-time index, and the deletes its foreign keys cascade to (outbox
     * and prepared-transaction rows, by saga id) use indexes too: without them every purge call read the whole saga
     * table, and the whole outbox and prepared tables once per saga it deleted.
     */
    @Test
    void thePurgeAndTheDeletesItCascadesToUseIndexes() throws Exception {
        String seed = "'purge-seed'";
        try {
            PostgresServer.execute(db, "INSERT INTO " + SCHEMA + ".saga (saga_id, name, version, correlation_id, input, state, owner_id, finished_at) "
                    + "SELECT gen_random_uuid(), " + seed + ", 1, 'c', '{}', CASE WHEN i % 10 = 0 THEN 'COMPLETED' ELSE 'RUNNING' END, 'seed', "
                    + "CASE WHEN i % 10 = 0 THEN now() - interval '2 days' END FROM generate_series(1, 5000) i; "
                    + "INSERT INTO " + SCHEMA + ".saga_outbox (saga_id, step_id, bucket, key, value, message_id, delivered_at) "
                    + "SELECT saga_id, 's', 'b', 'k', '\\x00', saga_id::text, now() FROM " + SCHEMA + ".saga WHERE name = " + seed + "; "
                    + "INSERT INTO " + SCHEMA + ".saga_step (saga_id, step_id, position, state) SELECT saga_id, 's' || n, n, 'COMPLETED' FROM "
                    + SCHEMA + ".saga, generate_series(1, 3) n WHERE name = " + seed + "; "
                    + "INSERT INTO " + SCHEMA + ".saga_prepared (gid, saga_id, state) SELECT 'g' || saga_id, saga_id, 'COMMITTED' FROM "
                    + SCHEMA + ".saga WHERE name = " + seed + "; "
                    + "ANALYZE " + SCHEMA + ".saga; ANALYZE " + SCHEMA + ".saga_step; ANALYZE " + SCHEMA + ".saga_outbox; ANALYZE " + SCHEMA + ".saga_prepared");
            String someSaga = "'" + UUID.randomUUID() + "'";
            assertThat(genericPlan(writer.sagas().purgeStatement(), List.of("86400000", "1000"))).doesNotContain("Seq Scan");
            assertThat(genericPlan("DELETE FROM " + SCHEMA + ".saga_outbox WHERE saga_id = $1", List.of(someSaga))).doesNotContain("Seq Scan");
            assertThat(genericPlan("DELETE FROM " + SCHEMA + ".saga_prepared WHERE saga_id = $1", List.of(someSaga))).doesNotContain("Seq Scan");
        } finally {
            PostgresServer.execute(db, "DELETE FROM " + SCHEMA + ".saga_step WHERE saga_id IN (SELECT saga_id FROM " + SCHEMA
                    + ".saga WHERE name = " + seed + "); DELETE FROM " + SCHEMA + ".saga WHERE name = " + seed);
        }
    }

    /** The generic plan PostgreSQL caches for {@code sql}, shown for these parameter literals. */
    private String genericPlan(String sql, List<String> parameters) throws Exception {
        try (Connection c = PostgresServer.openJdbc(db); java.sql.Statement s = c.createStatement()) {
            s.execute("SET plan_cache_mode = force_generic_plan");
            s.execute("PREPARE hot AS " + sql);
            StringBuilder plan = new StringBuilder();
            try (java.sql.ResultSet rows = s.executeQuery("EXPLAIN (COSTS OFF) EXECUTE hot("
                    + String.join(", ", parameters) + ")")) {
                while (rows.next()) {
                    plan.append(rows.getString(1)).append('\n');
                }
            }
            assertThat(plan).as("generic plan of %s", sql).contains("Index");
            return plan.toString();
        }
    }
}
