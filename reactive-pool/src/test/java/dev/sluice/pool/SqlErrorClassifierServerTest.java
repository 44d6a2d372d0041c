package dev.sluice.pool;

import dev.sluice.testkit.PostgresServer;
import dev.sluice.testkit.SluiceExtension;
import dev.sluice.testkit.TestDatabase;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Result;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Errors provoked for real on PostgreSQL and taken as the pool signalled them: each must carry the SQLSTATE
 * the server sent and be classified as documented.
 */
@ExtendWith(SluiceExtension.class)
class SqlErrorClassifierServerTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private static TestDatabase db;
    private static PgPool pool;
    private static String roleSuffix;

    @BeforeAll
    static void schema(TestDatabase database) {
        db = database;
        roleSuffix = database.database().substring(database.database().lastIndexOf('_') + 1);
        PostgresServer.execute(db, """
                CREATE TABLE accounts (id int PRIMARY KEY, owner text NOT NULL, balance int CHECK (balance >= 0), code varchar(3));
                CREATE TABLE transfers (id int PRIMARY KEY, account int REFERENCES accounts (id));
                CREATE TABLE bookings (during tsrange, EXCLUDE USING gist (during WITH &&));
                CREATE TABLE doctors (id int PRIMARY KEY, on_call boolean NOT NULL);
                INSERT INTO accounts VALUES (1, 'ann', 10, 'a'), (2, 'bob', 10, 'b');
                INSERT INTO bookings VALUES ('[2030-01-01 09:00, 2030-01-01 11:00)');
                INSERT INTO doctors VALUES (1, true), (2, true);
                """);
        pool = PgPool.create(Pools.config("classify", db).maxConnections(4).applicationName("sluice-classify").build());
    }

    @AfterAll
    static void closePool() {
        pool.stop().block(WAIT);
    }

    @ParameterizedTest(name = "{1} {2}: {0}")
    @CsvSource(delimiter = '|', textBlock = """
            INSERT INTO accounts VALUES (1, 'dup', 0, 'x')                           | 23505 | CONSTRAINT
            INSERT INTO transfers VALUES (1, 99)                                     | 23503 | CONSTRAINT
            INSERT INTO accounts (id, owner) VALUES (3, NULL)                        | 23502 | CONSTRAINT
            UPDATE accounts SET balance = -1 WHERE id = 1                            | 23514 | CONSTRAINT
            INSERT INTO bookings VALUES ('[2030-01-01 10:00, 2030-01-01 12:00)')     | 23P01 | CONSTRAINT
            SELECT 1 / 0                                                             | 22012 | SYNTAX
            SELECT 'x'::int                                                          | 22P02 | SYNTAX
            UPDATE accounts SET code = 'abcd' WHERE id = 1                           | 22001 | SYNTAX
            SELECT 2147483647::int + 1                                               | 22003 | SYNTAX
            SELEC 1                                                                  | 42601 | SYNTAX
            SELECT * FROM no_such_table                                              | 42P01 | SYNTAX
            SELECT no_such_column FROM accounts                                      | 42703 | SYNTAX
            SELECT no_such_function(1)                                               | 42883 | SYNTAX
            CREATE TABLE accounts (id int)                                           | 42P07 | SYNTAX
            SELECT count(*) FROM accounts FOR UPDATE                                 | 0A000 | SYNTAX
            SELECT repeat('x', 1073741824)                                           | 54000 | RESOURCE
            """)
    void failedStatementIsClassifiedBySqlState(String sql, String sqlState, ErrorClass expected) {
        assertClassified(errorOf(pool.update(sql)), sqlState, expected);
    }

    @Test
    void statementTimeoutIsTimeout() {
        PgPool impatient = PgPool.create(Pools.config("impatient", db).statementTimeout(Duration.ofMillis(100)).build());
        try {
            assertClassified(errorOf(impatient.update("SELECT pg_sleep(5)")), "57014", ErrorClass.TIMEOUT);
        } finally {
            impatient.stop().block(WAIT);
        }
    }

    @Test
    void lockHeldElsewhereIsTimeoutWithNowaitAndWithLockTimeout() throws SQLException {
        try (java.sql.Connection holder = PostgresServer.openJdbc(db); Statement s = holder.createStatement()) {
            holder.setAutoCommit(false);
            s.execute("SELECT * FROM accounts WHERE id = 2 FOR UPDATE");

            assertClassified(errorOf(pool.update("SELECT * FROM accounts WHERE id = 2 FOR UPDATE NOWAIT")), "55P03", ErrorClass.TIMEOUT);
            assertClassified(errorOf(onOneConnection(c -> run(c, "BEGIN")
                            .then(run(c, "SET LOCAL lock_timeout = '50ms'"))
                            .then(run(c, "UPDATE accounts SET balance = balance WHERE id = 2")))),
                    "55P03", ErrorClass.TIMEOUT);
            holder.rollback();
        }
    }

    @Test
    void writeSkewBetweenSerializableTransactionsIsTransientSerialization() throws SQLException {
        try (java.sql.Connection other = PostgresServer.openJdbc(db); Statement s = other.createStatement()) {
            other.setAutoCommit(false);
            other.setTransactionIsolation(java.sql.Connection.TRANSACTION_SERIALIZABLE);
            Throwable error = errorOf(onOneConnection(c -> run(c, "BEGIN ISOLATION LEVEL SERIALIZABLE")
                    .then(run(c, "SELECT count(*) FROM doctors WHERE on_call"))
                    .then(blocking(() -> s.execute("SELECT count(*) FROM doctors WHERE on_call")))
                    .then(run(c, "UPDATE doctors SET on_call = false WHERE id = 1"))
                    .then(blocking(() -> {
                        s.execute("UPDATE doctors SET on_call = false WHERE id = 2");
                        other.commit();
                    }))
                    .then(run(c, "COMMIT"))));
            assertClassified(error, "40001", ErrorClass.TRANSIENT_SERIALIZATION);
        }
        PostgresServer.execute(db, "UPDATE doctors SET on_call = true");
    }

    @Test
    void deadlockVictimIsTransientDeadlock() throws Exception {
        try (java.sql.Connection other = PostgresServer.openJdbc(db); Statement s = other.createStatement()) {
            other.setAutoCommit(false);
            s.execute("SET deadlock_timeout = '10s'");
            s.execute("UPDATE accounts SET balance = balance WHERE id = 2");
            String otherPid = backendPid(s);
            CompletableFuture<Boolean> otherWaitsForRow1 = new CompletableFuture<>();

            Throwable error = errorOf(onOneConnection(c -> run(c, "BEGIN")
                    .then(run(c, "SET LOCAL deadlock_timeout = '100ms'"))
                    .then(run(c, "UPDATE accounts SET balance = balance WHERE id = 1"))
                    .then(Mono.fromRunnable(() -> CompletableFuture.runAsync(() -> {
                        try {
                            otherWaitsForRow1.complete(s.execute("UPDATE accounts SET balance = balance WHERE id = 1"));
                        } catch (SQLException e) {
                            otherWaitsForRow1.completeExceptionally(e);
                        }
                    })))
                    .then(blocking(() -> Pools.await("the other transaction waits for row 1", WAIT,
                            () -> "Lock".equals(PostgresServer.queryString(db,
                                    "SELECT wait_event_type FROM pg_stat_activity WHERE pid = " + otherPid)))))
                    .then(run(c, "UPDATE accounts SET balance = balance WHERE id = 2"))));

            assertClassified(error, "40P01", ErrorClass.TRANSIENT_DEADLOCK);
            otherWaitsForRow1.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            other.rollback();
        }
    }

    @Test
    void terminatedBackendIsConnectionAndSoIsTheClosedConnectionAfterIt() {
        Connection connection = Mono.from(pool.connectionFactory().create()).block(WAIT);
        try {
            String pid = String.valueOf(Flux.from(connection.createStatement("SELECT pg_backend_pid()").execute())
                    .flatMap(r -> r.map((row, meta) -> row.get(0, Integer.class))).blockLast(WAIT));
            CompletableFuture<Throwable> sleeping = Flux.from(connection.createStatement("SELECT pg_sleep(10)").execute())
                    .flatMap(Result::getRowsUpdated).then(Mono.<Throwable>empty()).onErrorResume(Mono::just).toFuture();
            Pools.await("pg_sleep running", WAIT, () -> "active".equals(PostgresServer.queryString(db,
                    "SELECT state FROM pg_stat_activity WHERE pid = " + pid)));
            PostgresServer.queryString(db, "SELECT pg_terminate_backend(" + pid + ")");

            assertClassified(sleeping.join(), "57P01", ErrorClass.CONNECTION);
            assertClassified(errorOf(run(connection, "SELECT 1")), "08006", ErrorClass.CONNECTION);
        } finally {
            Mono.from(connection.close()).onErrorResume(e -> Mono.empty()).block(WAIT);
        }
    }

    @Test
    void refusedConnectionIsConnection() {
        PgPool nowhere = PgPool.create(Pools.config("nowhere", db).host("127.0.0.1").port(1)
                .acquireTimeout(Duration.ofMillis(300)).build());
        try {
            Throwable error = errorOf(nowhere.update("SELECT 1"));
            assertThat(error).as("refused connects are tried again until the acquire timeout, then")
                    .isInstanceOf(PoolExhaustedException.class).hasMessageContaining("make the server reachable");
            assertClassified(error, "08003", ErrorClass.CONNECTION);
        } finally {
            nowhere.stop().block(WAIT);
        }
    }

    @Test
    void roleOverItsConnectionLimitIsResource() throws SQLException {
        String role = "single_" + roleSuffix;
        PostgresServer.execute(db, "CREATE ROLE " + role + " LOGIN CONNECTION LIMIT 1");
        PgPool single = PgPool.create(Pools.config("single", db).user(role).build());
        try (java.sql.Connection held = PostgresServer.openJdbc(new TestDatabase(db.host(), db.port(), db.database(), role, ""))) {
            assertClassified(errorOf(single.update("SELECT 1")), "53300", ErrorClass.RESOURCE);
        } finally {
            single.stop().block(WAIT);
            PostgresServer.execute(db, "DROP ROLE " + role);
        }
    }

    @Test
    void unknownRoleIsPermission() {
        PgPool stranger = PgPool.create(Pools.config("stranger", db).user("nobody_" + roleSuffix).build());
        try {
            assertClassified(errorOf(stranger.update("SELECT 1")), "28000", ErrorClass.PERMISSION);
        } finally {
            stranger.stop().block(WAIT);
        }
    }

    @Test
    void readingWithoutGrantIsPermission() {
        String role = "reader_" + roleSuffix;
        PostgresServer.execute(db, "CREATE ROLE " + role + " LOGIN");
        PgPool reader = PgPool.create(Pools.config("reader", db).user(role).build());
        try {
            assertClassified(errorOf(reader.update("SELECT * FROM accounts")), "42501", ErrorClass.PERMISSION);
        } finally {
            reader.stop().block(WAIT);
            PostgresServer.execute(db, "DROP ROLE " + role);
        }
    }

    @Test
    void writeToReadOnlySessionIsPermission() {
        PgPool standbyLike = PgPool.create(Pools.config("standby-like", db).serverSetting("default_transaction_read_only", "on").build());
        try {
            assertClassified(errorOf(standbyLike.update("INSERT INTO accounts VALUES (9, 'eve', 0, 'e')")), "25006", ErrorClass.PERMISSION);
        } finally {
            standbyLike.stop().block(WAIT);
        }
    }

    @Test
    void statementInAFailedTransactionIsSyntax() {
        Throwable error = errorOf(onOneConnection(c -> run(c, "BEGIN")
                .then(run(c, "SELECT 1 / 0").onErrorResume(ignored -> Mono.empty()))
                .then(run(c, "SELECT 1"))));
        assertClassified(error, "25P02", ErrorClass.SYNTAX);
    }

    @Test
    void idleInTransactionTimeoutReachesTheCallerAsAClosedConnection() {
        PgPool idle = PgPool.create(Pools.config("idle-in-transaction", db).idleInTransactionTimeout(Duration.ofMillis(100)).build());
        try {
            Throwable error = errorOf(idle.withConnection(c -> run(c, "BEGIN")
                    .then(Mono.delay(Duration.ofMillis(400)))
                    .then(run(c, "SELECT 1"))));
            assertClassified(error, "08006", ErrorClass.CONNECTION);
        } finally {
            idle.stop().block(WAIT);
        }
    }

    /** Runs the work on one pooled connection, rolling back whatever transaction it leaves open. */
    private static Mono<Void> onOneConnection(Function<Connection, Mono<?>> work) {
        return pool.withConnection(c -> work.apply(c).then()
                .onErrorResume(error -> run(c, "ROLLBACK").onErrorResume(ignored -> Mono.empty()).then(Mono.error(error)))
                .then(run(c, "ROLLBACK"))).then();
    }

    private static Mono<Void> run(Connection connection, String sql) {
        return Flux.from(connection.createStatement(sql).execute()).flatMap(Result::getRowsUpdated).then();
    }

    /** Blocking JDBC work inside a reactive chain, kept off the driver's event loop. */
    private static Mono<Void> blocking(JdbcWork work) {
        return Mono.<Void>fromRunnable(() -> {
            try {
                work.run();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }).subscribeOn(Schedulers.boundedElastic());
    }

    private interface JdbcWork {
        void run() throws SQLException;
    }

    private static String backendPid(Statement statement) throws SQLException {
        try (var rs = statement.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** The error the publisher signalled, exactly as signalled; fails when it completes instead. */
    private static Throwable errorOf(Publisher<?> work) {
        Throwable error = Flux.from(work).then(Mono.<Throwable>empty()).onErrorResume(Mono::just).block(WAIT);
        assertThat(error).as("the work should have failed").isNotNull();
        return error;
    }

    private static void assertClassified(Throwable error, String sqlState, ErrorClass expected) {
        assertThat(SqlErrorClassifier.sqlState(error)).as("SQLSTATE of %s", error).contains(sqlState);
        assertThat(SqlErrorClassifier.classify(error)).as("class of %s", error).isEqualTo(expected);
    }
}
