package dev.sluice.pool;

import dev.sluice.pool.config.ConfigException;
import dev.sluice.testkit.PostgresServer;
import dev.sluice.testkit.SluiceExtension;
import dev.sluice.testkit.TestDatabase;
import io.r2dbc.spi.R2dbcException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(SluiceExtension.class)
class TransactionTest {

    private static PgPool pool;
    private static TestDatabase database;

    @BeforeAll
    static void start(TestDatabase db) {
        database = db;
        PostgresServer.execute(db, "CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL)");
        pool = PgPool.create(Pools.config("tx", db).minConnections(1).maxConnections(1).applicationName("tx-test").build());
    }

    @AfterAll
    static void stop() {
        pool.stop().block();
    }

    @BeforeEach
    void empty() {
        pool.update("DELETE FROM accounts").block();
    }

    private static String setting(Tx tx, String name) {
        return tx.query("SELECT current_setting('" + name + "')", r -> r.get(0, String.class)).blockLast();
    }

    private static Mono<String> settingOf(Tx tx, String name) {
        return tx.query("SELECT current_setting('" + name + "')", r -> r.get(0, String.class)).single();
    }

    private static long rows() {
        return pool.queryOne("SELECT count(*) FROM accounts", r -> r.get(0, Long.class)).block();
    }

    @Test
    void isolationLevelsAreThoseAskedForOrChosenFromTheWork() {
        Map<TxOptions, String> expected = Map.of(
                TxOptions.DEFAULT, "read committed",
                TxOptions.builder().isolation(Isolation.SERIALIZABLE).build(), "serializable",
                TxOptions.builder().isolation(Isolation.REPEATABLE_READ).build(), "repeatable read",
                TxOptions.builder().work(WorkKind.READ_ONLY).build(), "read committed",
                TxOptions.builder().work(WorkKind.SHARED_WRITE).build(), "repeatable read",
                TxOptions.builder().work(WorkKind.CROSS_SYSTEM_WRITE).build(), "serializable");
        expected.forEach((options, level) -> assertThat(pool.inTransaction(options, tx -> settingOf(tx, "transaction_isolation")).blockLast())
                .as("%s", options).isEqualTo(level));
        assertThat(pool.inTransaction(TxOptions.builder().work(WorkKind.READ_ONLY).build(),
                tx -> settingOf(tx, "transaction_read_only")).blockLast()).isEqualTo("on");
        assertThatThrownBy(() -> pool.inTransaction(TxOptions.builder().readOnly(true).build(),
                tx -> tx.update("INSERT INTO accounts VALUES (1, 1)")).blockLast())
                .isInstanceOf(R2dbcException.class)
                .satisfies(e -> assertThat(((R2dbcException) e).getSqlState()).isEqualTo("25006"));
    }

    @Test
    void setLocalValuesHoldInsideAndAreGoneAfter() {
        TxOptions options = TxOptions.builder().boundary(TxBoundary.AGENT_TASK).agentId("planner-7").build();
        List<String> inside = pool.inTransaction(options, tx -> Flux.concat(
                settingOf(tx, "statement_timeout"),
                settingOf(tx, "idle_in_transaction_session_timeout"),
                settingOf(tx, "synchronous_commit"),
                settingOf(tx, "application_name"),
                tx.query("SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()", r -> r.get(0, String.class)))).collectList().block();
        assertThat(inside).containsExactly("1min", "1min", "on", "tx-test/planner-7", "tx-test/planner-7");

        List<String> after = pool.inTransaction(tx -> Flux.concat(
                settingOf(tx, "statement_timeout"),
                settingOf(tx, "idle_in_transaction_session_timeout"),
                settingOf(tx, "application_name"))).collectList().block();
        assertThat(after).containsExactly("0", "1min", "tx-test");

        assertThat(pool.inTransaction(TxOptions.builder().boundary(TxBoundary.CROSS_SYSTEM).build(),
                tx -> settingOf(tx, "synchronous_commit")).blockLast()).isEqualTo("remote_apply");
        assertThat(pool.inTransaction(TxOptions.builder().boundary(TxBoundary.SINGLE_OPERATION).build(),
                tx -> Flux.concat(settingOf(tx, "statement_timeout"), settingOf(tx, "idle_in_transaction_session_timeout"))).collectList().block())
                .containsExactly("5s", "10s");
        assertThat(pool.inTransaction(TxOptions.builder().boundary(TxBoundary.SINGLE_OPERATION).isolation(Isolation.SERIALIZABLE)
                        .readOnly(true).build(), tx -> Flux.concat(settingOf(tx, "transaction_isolation"), settingOf(tx, "transaction_read_only"),
                        settingOf(tx, "statement_timeout"))).collectList().block())
                .as("BEGIN's isolation and access mode with the SET LOCAL values in the same query")
                .containsExactly("serializable", "on", "5s");
    }

    @Test
    void timeoutIsClampedToOneSecondToOneHour() {
        assertThat(pool.inTransaction(TxOptions.builder().timeout(Duration.ofMillis(10)).build(), tx -> settingOf(tx, "statement_timeout")).blockLast())
                .isEqualTo("1s");
        assertThat(pool.inTransaction(TxOptions.builder().timeout(Duration.ofHours(5)).build(), tx -> settingOf(tx, "statement_timeout")).blockLast())
                .isEqualTo("1h");
        assertThatThrownBy(() -> pool.inTransaction(TxOptions.builder().timeout(Duration.ofMillis(10)).build(),
                tx -> tx.query("SELECT pg_sleep(3)", r -> 1)).blockLast())
                .isInstanceOf(R2dbcException.class)
                .satisfies(e -> assertThat(((R2dbcException) e).getSqlState()).isEqualTo("57014"));
    }

    @Test
    void anErrorRollsBackAndEmitsNothing() {
        StepVerifier.create(pool.inTransaction(tx -> tx.update("INSERT INTO accounts VALUES (1, 100)")
                        .thenMany(Flux.just("seen", "too"))
                        .concatWith(Mono.error(new IllegalStateException("business rule broken")))))
                .expectErrorMessage("business rule broken")
                .verify();
        assertThat(rows()).isZero();
        assertThat(pool.stats().acquired()).isZero();
        assertThat(pool.inTransaction(tx -> settingOf(tx, "transaction_isolation")).blockLast()).isEqualTo("read committed");
    }

    /** The work starts before BEGIN's reply is in (its first statement goes right behind BEGIN): failing at once is still clean. */
    @Test
    void aWorkThatFailsBeforeItsFirstStatementLeavesNoTransactionOpen() {
        for (int i = 0; i < 20; i++) {
            StepVerifier.create(pool.inTransaction(tx -> Flux.<String>error(new IllegalStateException("failed before any statement"))))
                    .expectErrorMessage("failed before any statement")
                    .verify();
        }
        assertThat(pool.stats().acquired()).isZero();
        assertThat(pool.query("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                + "AND state LIKE 'idle in transaction%'", r -> r.get(0, Long.class)).blockLast()).isZero();
        assertThat(pool.inTransaction(tx -> tx.update("INSERT INTO accounts VALUES (1, 100)")).blockLast()).isEqualTo(1L);
        assertThat(rows()).isEqualTo(1L);
    }

    @Test
    void cancellationRollsBackAndLeavesTheConnectionClean() {
        StepVerifier.create(pool.inTransaction(tx -> tx.update("INSERT INTO accounts VALUES (2, 100)")
                        .thenMany(tx.query("SELECT pg_sleep(5)", r -> 1))))
                .thenAwait(Duration.ofMillis(300))
                .thenCancel()
                .verify();
        Pools.await("connection back", Duration.ofSeconds(3), () -> pool.stats().acquired() == 0);
        long start = System.nanoTime();
        assertThat(rows()).isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(Integer.parseInt(PostgresServer.queryString(database,
                "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'tx-test%' AND state LIKE 'idle in transaction%'")))
                .isZero();
    }

    @Test
    void aSavepointUndoesOnlyTheWorkAfterIt() {
        List<Long> counts = pool.inTransaction(tx -> tx.update("INSERT INTO accounts VALUES (1, 10)")
                .thenMany(tx.withSavepoint("risky", () -> tx.update("INSERT INTO accounts VALUES (2, 20)")
                                .then(tx.update("INSERT INTO accounts VALUES (1, 99)")))
                        .onErrorResume(R2dbcException.class, e -> Mono.empty()))
                .thenMany(tx.update("INSERT INTO accounts VALUES (3, 30)"))
                .thenMany(tx.query("SELECT id::bigint FROM accounts ORDER BY id", r -> r.get(0, Long.class)))).collectList().block();
        assertThat(counts).containsExactly(1L, 3L);
        assertThat(pool.query("SELECT id FROM accounts ORDER BY id", r -> r.get(0, Integer.class)).collectList().block()).containsExactly(1, 3);

        pool.inTransaction(tx -> tx.update("INSERT INTO accounts VALUES (4, 40)")
                .then(tx.savepoint("sp1"))
                .then(tx.update("UPDATE accounts SET balance = 0 WHERE id = 4"))
                .then(tx.rollbackTo("sp1"))
                .then(tx.release("sp1"))).blockLast();
        assertThat(pool.queryOne("SELECT balance FROM accounts WHERE id = 4", r -> r.get(0, Integer.class)).block()).isEqualTo(40);
        assertThatThrownBy(() -> pool.inTransaction(tx -> tx.savepoint("bad name; --")).blockLast())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("savepoint name");
    }

    @Test
    void aCommitCheckCanVetoTheCommit() {
        TxOptions guarded = TxOptions.builder().commitCheck(tx -> tx.query("SELECT count(*) FROM accounts WHERE balance < 0", r -> r.get(0, Long.class))
                .single().flatMap(negative -> negative > 0 ? Mono.just(negative + " account(s) would go negative") : Mono.empty())).build();
        assertThatThrownBy(() -> pool.inTransaction(guarded, tx -> tx.update("INSERT INTO accounts VALUES (1, -5)")).blockLast())
                .isInstanceOf(TxVetoException.class)
                .hasMessageContaining("1 account(s) would go negative")
                .satisfies(e -> assertThat(((TxVetoException) e).reason()).isEqualTo("1 account(s) would go negative"));
        assertThat(rows()).isZero();

        assertThat(pool.inTransaction(guarded, tx -> tx.update("INSERT INTO accounts VALUES (1, 5)")).blockLast()).isEqualTo(1L);
        assertThat(rows()).isEqualTo(1L);
    }

    @Test
    void injectionThroughAgentIdIsRefusedBeforeTheServer() {
        assertThatThrownBy(() -> TxOptions.builder().agentId("x'); DROP TABLE accounts; --"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("agentId").hasMessageContaining("^[A-Za-z0-9-]{1,40}$");
        assertThatThrownBy(() -> TxOptions.builder().agentId("")).isInstanceOf(ConfigException.class);
    }
}
