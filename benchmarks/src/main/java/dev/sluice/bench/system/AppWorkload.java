package dev.sluice.bench.system;

import com.zaxxer.hikari.HikariDataSource;
import dev.sluice.pool.Isolation;
import dev.sluice.pool.PgPool;
import dev.sluice.pool.RetryPolicy;
import dev.sluice.pool.SqlErrorClassifier;
import dev.sluice.pool.ErrorClass;
import dev.sluice.pool.TxOptions;
import dev.sluice.testkit.PostgresServer;
import dev.sluice.testkit.TestDatabase;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.IsolationLevel;
import io.r2dbc.spi.Readable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The application scenario's data and statements: a table of accounts, a table of tenants' rows under a row-level
 * security policy, and three kinds of operation written the way each client's users write them.
 *
 * <ul>
 *   <li>{@link Operation#LOOKUP}: {@code SELECT id, tenant, balance FROM account WHERE id = $1}, mapped to an
 *       {@link Account};</li>
 *   <li>{@link Operation#TRANSFER}: one REPEATABLE READ transaction that reads both accounts, checks the balance,
 *       updates both in id order and commits, run again on a serialization failure or deadlock with the same
 *       backoff ({@link #RETRY}) for every client;</li>
 *   <li>{@link Operation#TENANT}: a transaction that sets the tenant ({@code set_config('app.tenant_id', $1, true)})
 *       and runs one aggregate the policy limits to that tenant's rows.</li>
 * </ul>
 *
 * <p>HikariCP puts back the auto-commit mode and isolation level a caller changed when the connection is returned,
 * as a JDBC application relies on.
 *
 * <p>The accounts have no policy; the tenant-scoped aggregate reads {@code tenant_entry}, {@value #TENANTS} tenants of
 * {@value #ENTRIES_PER_TENANT} rows, whose policy shows a session only its tenant's rows (none without a tenant).
 *
 * <p>The scenario connects as a role of its own without superuser rights ({@link #ROLE}), since a superuser is not
 * subject to row-level security. Transfers move money between accounts and never create or destroy it, so the
 * balances always sum to {@link #total()}; {@link #checkBalances()} says whether they still do.
 */
public final class AppWorkload {

    /** The kinds of operation. */
    public enum Operation {
        LOOKUP, TRANSFER, TENANT;

        /** The name in results: {@code lookup}, {@code transfer}, {@code tenant}. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One account, as the lookup maps it. */
    public record Account(int id, String tenant, long balance) {
    }

    /** The role the scenario's clients connect as. */
    public static final String ROLE = "bench_app";
    /** Accounts seeded. */
    public static final int ACCOUNTS = 10_000;
    /** Tenants of the tenant-scoped table, {@value #ENTRIES_PER_TENANT} rows each. */
    public static final int TENANTS = 100;
    /** Rows of each tenant in the tenant-scoped table. */
    public static final int ENTRIES_PER_TENANT = 100;
    /** Each account's starting balance. */
    public static final long START_BALANCE = 1_000;
    /** How transfers are run again on a serialization failure or deadlock, for every client alike. */
    public static final RetryPolicy RETRY = new RetryPolicy(10, Duration.ofMillis(1), Duration.ofMillis(50), 0.5);

    static final String LOOKUP = "SELECT id, tenant, balance FROM account WHERE id = $1";
    static final String READ_PAIR = "SELECT id, balance FROM account WHERE id IN ($1, $2) ORDER BY id";
    static final String MOVE = "UPDATE account SET balance = balance + $1 WHERE id = $2";
    static final String SET_TENANT = "SELECT set_config('app.tenant_id', $1, true)";
    static final String TENANT_SUM = "SELECT count(*), coalesce(sum(amount), 0) FROM tenant_entry";

    private static final TxOptions TRANSFER_OPTIONS = TxOptions.builder().isolation(Isolation.REPEATABLE_READ).retry(RETRY).build();

    private final TestDatabase admin;
    private final TestDatabase app;
    private final AtomicInteger balanceChecks = new AtomicInteger();
    private final AtomicInteger balanceCheckFailures = new AtomicInteger();

    private AppWorkload(TestDatabase admin, TestDatabase app) {
        this.admin = admin;
        this.app = app;
    }

    /**
     * Creates the table, its policy and the role in {@code admin}'s database (replacing what an earlier run left),
     * and seeds {@value #ACCOUNTS} accounts.
     */
    public static AppWorkload seed(TestDatabase admin) {
        PostgresServer.execute(admin, """
                DROP TABLE IF EXISTS account;
                DROP TABLE IF EXISTS tenant_entry;
                DO $$ BEGIN
                  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '%1$s') THEN CREATE ROLE %1$s LOGIN; END IF;
                END $$;
                CREATE TABLE account (id int PRIMARY KEY, tenant text NOT NULL, balance bigint NOT NULL);
                INSERT INTO account SELECT g, 't' || (g %% %2$d), %3$d FROM generate_series(1, %4$d) g;
                CREATE TABLE tenant_entry (id int PRIMARY KEY, tenant text NOT NULL, amount bigint NOT NULL);
                INSERT INTO tenant_entry SELECT g, 't' || (g %% %2$d), g %% 97 FROM generate_series(1, %2$d * %5$d) g;
                CREATE INDEX tenant_entry_tenant ON tenant_entry (tenant);
                ALTER TABLE tenant_entry ENABLE ROW LEVEL SECURITY;
                CREATE POLICY tenant_entry_by_tenant ON tenant_entry USING (tenant = current_setting('app.tenant_id', true));
                GRANT SELECT, UPDATE ON account TO %1$s;
                GRANT SELECT ON tenant_entry TO %1$s;
                ANALYZE account;
                ANALYZE tenant_entry;
                """.formatted(ROLE, TENANTS, START_BALANCE, ACCOUNTS, ENTRIES_PER_TENANT));
        return new AppWorkload(admin, new TestDatabase(admin.host(), admin.port(), admin.database(), ROLE, ""));
    }

    /** Where the clients connect: the seeded database as {@link #ROLE}. */
    public TestDatabase database() {
        return app;
    }

    /** What the balances sum to. */
    public long total() {
        return (long) ACCOUNTS * START_BALANCE;
    }

    /** The balances' sum now, read by the admin role (which sees every row). */
    public long balanceSum() {
        return Long.parseLong(PostgresServer.queryString(admin, "SELECT sum(balance) FROM account"));
    }

    /** Checks that the balances still sum to {@link #total()}, counting the check; {@code true} when they do. */
    public boolean checkBalances() {
        balanceChecks.incrementAndGet();
        boolean agree = balanceSum() == total();
        if (!agree) {
            balanceCheckFailures.incrementAndGet();
        }
        return agree;
    }

    /** Balance checks run so far. */
    public int balanceChecks() {
        return balanceChecks.get();
    }

    /** Balance checks that found a different sum. */
    public int balanceCheckFailures() {
        return balanceCheckFailures.get();
    }

    /** Drops the tables (the role stays: other databases of the server may use it). */
    public void drop() {
        PostgresServer.execute(admin, "DROP TABLE IF EXISTS account; DROP TABLE IF EXISTS tenant_entry");
    }

    // --- Sluice -----------------------------------------------------------------------------------------------

    /** One operation through a Sluice pool. Cold. */
    public static Mono<?> sluice(PgPool pool, Operation operation) {
        return switch (operation) {
            case LOOKUP -> pool.queryOne(LOOKUP, row -> new Account(row.get("id", Integer.class), row.get("tenant", String.class),
                    row.get("balance", Long.class)), randomAccount());
            case TRANSFER -> {
                Transfer t = Transfer.random();
                yield pool.inTransaction(TRANSFER_OPTIONS, tx -> tx.query(READ_PAIR, AppWorkload::idAndBalance, t.from, t.to).collectList()
                        .flatMap(rows -> t.allowed(rows)
                                ? tx.update(MOVE, t.firstDelta(), t.first()).then(tx.update(MOVE, t.secondDelta(), t.second()))
                                : Mono.just(0L))).then();
            }
            case TENANT -> pool.withTenant(randomTenant(), tx -> tx.query(TENANT_SUM, row -> row.get(1, Long.class))).single();
        };
    }

    // --- raw r2dbc-pool ---------------------------------------------------------------------------------------

    /** One operation through raw r2dbc-pool, the way its documentation writes it ({@code usingWhen}). Cold. */
    public static Mono<?> r2dbcPool(ConnectionPool pool, Operation operation) {
        return switch (operation) {
            case LOOKUP -> {
                int id = randomAccount();
                yield Flux.usingWhen(pool.create(),
                        (Connection c) -> Flux.from(c.createStatement(LOOKUP).bind("$1", id).execute())
                                .flatMap(result -> result.map(row -> new Account(row.get("id", Integer.class), row.get("tenant", String.class),
                                        row.get("balance", Long.class)))),
                        Connection::close).singleOrEmpty();
            }
            case TRANSFER -> Mono.defer(() -> {
                        Transfer t = Transfer.random();
                        return Flux.usingWhen(pool.create(), c -> transferOn(c, t), Connection::close).then();
                    })
                    .retryWhen(retry());
            case TENANT -> {
                String tenant = randomTenant();
                yield Flux.usingWhen(pool.create(), c -> inTransaction(c, IsolationLevel.READ_COMMITTED,
                        Flux.from(c.createStatement(SET_TENANT).bind("$1", tenant).execute()).flatMap(r -> r.map(row -> 1)).then()
                                .thenMany(Flux.from(c.createStatement(TENANT_SUM).execute()).flatMap(r -> r.map(row -> row.get(1, Long.class))))),
                        Connection::close).single();
            }
        };
    }

    private static Flux<Long> transferOn(Connection c, Transfer t) {
        Flux<Long> work = Flux.from(c.createStatement(READ_PAIR).bind("$1", t.from).bind("$2", t.to).execute())
                .flatMap(r -> r.map(AppWorkload::idAndBalance)).collectList()
                .flatMapMany(rows -> t.allowed(rows)
                        ? update(c, t.first(), t.firstDelta()).concatWith(update(c, t.second(), t.secondDelta()))
                        : Flux.empty());
        return inTransaction(c, IsolationLevel.REPEATABLE_READ, work);
    }

    private static Flux<Long> update(Connection c, int id, long delta) {
        return Flux.from(c.createStatement(MOVE).bind("$1", delta).bind("$2", id).execute()).flatMap(r -> Mono.from(r.getRowsUpdated()));
    }

    /** Begin, the work, commit; rollback on error: what r2dbc code without a framework writes. */
    private static <T> Flux<T> inTransaction(Connection c, IsolationLevel isolation, Flux<T> work) {
        return Mono.from(c.beginTransaction(isolation))
                .thenMany(work)
                .collectList()
                .flatMapMany(values -> Mono.from(c.commitTransaction()).thenMany(Flux.fromIterable(values)))
                .onErrorResume(error -> Mono.from(c.rollbackTransaction()).onErrorResume(e -> Mono.empty()).then(Mono.error(error)));
    }

    /** Reactor's backoff with {@link #RETRY}'s numbers, for serialization failures and deadlocks. */
    private static Retry retry() {
        return Retry.backoff(RETRY.maxAttempts() - 1, RETRY.baseDelay()).maxBackoff(RETRY.maxDelay()).jitter(RETRY.jitter())
                .filter(AppWorkload::conflict).onRetryExhaustedThrow((spec, signal) -> signal.failure());
    }

    // --- HikariCP ---------------------------------------------------------------------------------------------

    /** One operation through HikariCP and pgjdbc, on the calling thread. */
    public static void hikari(HikariDataSource pool, Operation operation) throws SQLException, InterruptedException {
        switch (operation) {
            case LOOKUP -> {
                try (java.sql.Connection c = pool.getConnection(); PreparedStatement s = c.prepareStatement(jdbc(LOOKUP))) {
                    s.setInt(1, randomAccount());
                    try (ResultSet rows = s.executeQuery()) {
                        if (rows.next()) {
                            Objects.requireNonNull(new Account(rows.getInt(1), rows.getString(2), rows.getLong(3)));
                        }
                    }
                }
            }
            case TRANSFER -> {
                for (int attempt = 1; ; attempt++) {
                    try {
                        transferOn(pool, Transfer.random());
                        return;
                    } catch (SQLException e) {
                        if (!conflict(e) || attempt >= RETRY.maxAttempts()) {
                            throw e;
                        }
                        Thread.sleep(backoff(attempt).toMillis());
                    }
                }
            }
            case TENANT -> {
                try (java.sql.Connection c = pool.getConnection()) {
                    c.setAutoCommit(false);
                    try (PreparedStatement set = c.prepareStatement(jdbc(SET_TENANT)); PreparedStatement sum = c.prepareStatement(TENANT_SUM)) {
                        set.setString(1, randomTenant());
                        set.executeQuery().close();
                        try (ResultSet rows = sum.executeQuery()) {
                            rows.next();
                            rows.getLong(2);
                        }
                        c.commit();
                    } catch (SQLException | RuntimeException e) {
                        c.rollback();
                        throw e;
                    }
                }
            }
        }
    }

    private static void transferOn(HikariDataSource pool, Transfer t) throws SQLException {
        try (java.sql.Connection c = pool.getConnection()) {
            c.setTransactionIsolation(java.sql.Connection.TRANSACTION_REPEATABLE_READ);
            c.setAutoCommit(false);
            try (PreparedStatement read = c.prepareStatement(jdbc(READ_PAIR)); PreparedStatement move = c.prepareStatement(jdbc(MOVE))) {
                read.setInt(1, t.from);
                read.setInt(2, t.to);
                List<long[]> rows = new java.util.ArrayList<>(2);
                try (ResultSet rs = read.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new long[] {rs.getInt(1), rs.getLong(2)});
                    }
                }
                if (t.allowed(rows)) {
                    move.setLong(1, t.firstDelta());
                    move.setInt(2, t.first());
                    move.executeUpdate();
                    move.setLong(1, t.secondDelta());
                    move.setInt(2, t.second());
                    move.executeUpdate();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** The wait before attempt {@code attempt + 1}, as Reactor's {@code Retry.backoff} computes it with {@link #RETRY}. */
    static Duration backoff(int attempt) {
        long base = RETRY.baseDelay().toNanos() << Math.min(attempt - 1, 30);
        long capped = Math.min(base, RETRY.maxDelay().toNanos());
        long spread = (long) (capped * RETRY.jitter());
        long jittered = capped + (spread == 0 ? 0 : ThreadLocalRandom.current().nextLong(-spread, spread + 1));
        return Duration.ofNanos(Math.max(RETRY.baseDelay().toNanos(), Math.min(jittered, RETRY.maxDelay().toNanos())));
    }

    /** The statement with JDBC's {@code ?} for {@code $1, $2, ...}, which must appear in that order. */
    static String jdbc(String sql) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\$(\\d+)").matcher(sql);
        int expected = 1;
        while (m.find()) {
            if (Integer.parseInt(m.group(1)) != expected++) {
                throw new IllegalArgumentException("placeholders out of order for JDBC's positional '?': " + sql);
            }
        }
        return sql.replaceAll("\\$\\d+", "?");
    }

    /** A serialization failure or deadlock: the transaction may succeed when run again. */
    static boolean conflict(Throwable error) {
        return SqlErrorClassifier.classify(error) == ErrorClass.TRANSIENT_SERIALIZATION
                || SqlErrorClassifier.classify(error) == ErrorClass.TRANSIENT_DEADLOCK;
    }

    private static long[] idAndBalance(Readable row) {
        return new long[] {row.get(0, Integer.class), row.get(1, Long.class)};
    }

    private static int randomAccount() {
        return ThreadLocalRandom.current().nextInt(1, ACCOUNTS + 1);
    }

    private static String randomTenant() {
        return "t" + ThreadLocalRandom.current().nextInt(TENANTS);
    }

    /**
     * A transfer of {@code amount} from one account to another, distinct, both random. The updates go in id order
     * (so two transfers over the same pair wait for each other instead of deadlocking).
     */
    record Transfer(int from, int to, long amount) {
        static Transfer random() {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            int from = r.nextInt(1, ACCOUNTS + 1);
            int to = from;
            while (to == from) {
                to = r.nextInt(1, ACCOUNTS + 1);
            }
            return new Transfer(from, to, r.nextLong(1, 50));
        }

        /** Whether both rows were read and the payer can pay. */
        boolean allowed(List<long[]> rows) {
            return rows.size() == 2 && rows.stream().filter(row -> row[0] == from).allMatch(row -> row[1] >= amount);
        }

        int first() {
            return Math.min(from, to);
        }

        int second() {
            return Math.max(from, to);
        }

        long firstDelta() {
            return first() == from ? -amount : amount;
        }

        long secondDelta() {
            return -firstDelta();
        }
    }
}
