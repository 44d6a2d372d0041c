package dev.sluice.bench.system;

import dev.sluice.bench.Progress;
import dev.sluice.bench.load.LoadPlan;
import dev.sluice.bench.report.SystemResult;
import dev.sluice.testkit.PostgresServer;
import dev.sluice.testkit.SluiceServers;
import dev.sluice.testkit.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The application scenario's accounting on a real server: every client and kind of operation completes operations
 * without errors and leaves the balances as seeded; failures are counted as errors; a broken balance is caught.
 */
class AppSystemTest {

    private static final LoadPlan PLAN = new LoadPlan(4, Duration.ofMillis(200), Duration.ofMillis(700));
    private static final PostgresServer SERVER = SluiceServers.postgres();
    private static TestDatabase admin;
    private static AppWorkload workload;
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final Progress progress = new Progress(new PrintStream(printed, true, StandardCharsets.UTF_8), false);

    @BeforeAll
    static void seed() {
        admin = SERVER.createDatabase("app");
        workload = AppWorkload.seed(admin);
    }

    @AfterAll
    static void drop() {
        SERVER.dropDatabase(admin);
    }

    @Test
    void everyClientRunsEveryKindWithoutErrorsAndTheBalancesStayWhole() throws Exception {
        PgPoolSettings settings = new PgPoolSettings(workload.database(), 2, Duration.ofSeconds(5));
        int checksBefore = workload.balanceChecks();
        int failuresBefore = workload.balanceCheckFailures();
        for (AppWorkload.Operation operation : AppWorkload.Operation.values()) {
            for (AppSystem.Client client : AppSystem.Client.values()) {
                SystemResult r = new AppSystem(client, operation, workload, settings).measure(PLAN, progress).toResult(client.label());
                assertThat(r.opsPerSec()).as("%s %s throughput", client, operation).isPositive();
                assertThat(r.errors()).as("%s %s errors: %s", client, operation, r.details().get("errorSamples")).isZero();
                assertThat(r.details()).as("%s %s", client, operation).containsEntry("balancesAgree", true);
            }
        }
        assertThat(workload.balanceChecks() - checksBefore).as("one check after every turn").isEqualTo(9);
        assertThat(workload.balanceCheckFailures()).isEqualTo(failuresBefore);
        assertThat(workload.balanceSum()).isEqualTo(workload.total());
    }

    @Test
    void aTenantSeesOnlyItsOwnRowsAndNoTenantSeesNone() {
        TestDatabase app = workload.database();
        assertThat(PostgresServer.queryString(app, "SELECT count(*) FROM tenant_entry")).as("no tenant set").isEqualTo("0");
        assertThat(PostgresServer.queryString(app, "SELECT count(*) FROM (SELECT set_config('app.tenant_id', 't7', false)) s, "
                + "LATERAL (SELECT count(*) FROM tenant_entry WHERE tenant <> 't7') other")).isEqualTo("1");
        assertThat(PostgresServer.queryString(app, "SELECT set_config('app.tenant_id', 't7', false) || (SELECT count(*) FROM tenant_entry)::text"))
                .isEqualTo("t7" + AppWorkload.ENTRIES_PER_TENANT);
    }

    @Test
    void failedOperationsAreCountedAsErrors() throws Exception {
        PostgresServer.execute(admin, "ALTER TABLE tenant_entry RENAME TO tenant_entry_away");
        try {
            PgPoolSettings settings = new PgPoolSettings(workload.database(), 2, Duration.ofSeconds(5));
            for (AppSystem.Client client : AppSystem.Client.values()) {
                SystemResult r = new AppSystem(client, AppWorkload.Operation.TENANT, workload, settings).measure(PLAN, progress)
                        .toResult(client.label());
                assertThat(r.opsPerSec()).as("%s", client).isZero();
                assertThat(r.errors()).as("%s", client).isPositive();
                assertThat(r.details().get("errorSamples")).asString().contains("tenant_entry");
            }
        } finally {
            PostgresServer.execute(admin, "ALTER TABLE tenant_entry_away RENAME TO tenant_entry");
        }
    }

    @Test
    void aBalanceThatChangedIsCaught() {
        int failuresBefore = workload.balanceCheckFailures();
        PostgresServer.execute(admin, "UPDATE account SET balance = balance + 1 WHERE id = 1");
        try {
            assertThat(workload.checkBalances()).isFalse();
            assertThat(workload.balanceCheckFailures()).isEqualTo(failuresBefore + 1);
        } finally {
            PostgresServer.execute(admin, "UPDATE account SET balance = balance - 1 WHERE id = 1");
        }
        assertThat(workload.checkBalances()).isTrue();
    }

    @Test
    void aTransferMovesMoneyWithoutMakingAnyAndJdbcPlaceholdersKeepTheirOrder() {
        for (int i = 0; i < 1_000; i++) {
            AppWorkload.Transfer t = AppWorkload.Transfer.random();
            assertThat(t.from()).isNotEqualTo(t.to());
            assertThat(t.firstDelta() + t.secondDelta()).isZero();
            assertThat(t.first()).isLessThan(t.second());
            assertThat(t.allowed(List.of(new long[] {t.from(), t.amount()}, new long[] {t.to(), 0}))).isTrue();
            assertThat(t.allowed(List.of(new long[] {t.from(), t.amount() - 1}, new long[] {t.to(), 0}))).isFalse();
        }
        assertThat(AppWorkload.jdbc(AppWorkload.MOVE)).isEqualTo("UPDATE account SET balance = balance + ? WHERE id = ?");
        assertThatThrownBy(() -> AppWorkload.jdbc("UPDATE t SET a = $2 WHERE id = $1")).hasMessageContaining("out of order");
    }
}
