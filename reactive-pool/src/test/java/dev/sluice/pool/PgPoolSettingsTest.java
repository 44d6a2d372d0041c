package dev.sluice.pool;

import dev.sluice.testkit.SluiceExtension;
import dev.sluice.testkit.TestDatabase;
import io.r2dbc.spi.R2dbcException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each pool setting has an effect a user can see on the server. */
@ExtendWith(SluiceExtension.class)
class PgPoolSettingsTest {

    private static int pid(PgPool pool) {
        return pool.queryOne("SELECT pg_backend_pid()", row -> row.get(0, Integer.class)).block();
    }

    private static String show(PgPool pool, String setting) {
        return pool.queryOne("SELECT current_setting('" + setting + "')", row -> row.get(0, String.class)).block();
    }

    @Test
    void statementTimeoutCancelsASlowStatement(TestDatabase db) {
        PgPool pool = PgPool.create(Pools.config("stmt", db).statementTimeout(Duration.ofMillis(200)).build());
        try {
            assertThatThrownBy(() -> pool.query("SELECT pg_sleep(3)", row -> 1).blockLast())
                    .isInstanceOf(R2dbcException.class)
                    .satisfies(e -> assertThat(((R2dbcException) e).getSqlState()).isEqualTo("57014"));
            assertThat(show(pool, "statement_timeout")).isEqualTo("200ms");
            assertThat(pool.stats().acquired()).isZero();
        } finally {
            pool.stop().block();
        }
    }

    @Test
    void applicationNameShowsInPgStatActivity(TestDatabase db) {
        PgPool pool = PgPool.create(Pools.config("appname", db).applicationName("orders-api").minConnections(2).build());
        try {
            pool.warmup().block();
            assertThat(Pools.sessions(db, "orders-api")).isEqualTo(2);
            assertThat(show(pool, "application_name")).isEqualTo("orders-api");
        } finally {
            pool.stop().block();
        }
        Pools.await("sessions closed", Duration.ofSeconds(5), () -> Pools.sessions(db, "orders-api") == 0);
    }

    @Test
    void sessionAndServerSettingsApplyToEveryConnection(TestDatabase db) {
        PgPool pool = PgPool.create(Pools.config("analytics", db).role(PoolRole.ANALYTICS)
                .idleInTransactionTimeout(Duration.ofSeconds(7))
                .serverSetting("work_mem", "77MB")
                .serverSetting("jit", "off")
                .build());
        try {
            assertThat(show(pool, "idle_in_transaction_session_timeout")).isEqualTo("7s");
            assertThat(show(pool, "work_mem")).isEqualTo("77MB");
            assertThat(show(pool, "jit")).isEqualTo("off");
        } finally {
            pool.stop().block();
        }
    }

    @Test
    void defaultApplicationNameNamesThePool(TestDatabase db) {
        PgPool pool = PgPool.create(Pools.config("billing", db).build());
        try {
            assertThat(show(pool, "application_name")).isEqualTo("sluice-billing");
            assertThat(show(pool, "idle_in_transaction_session_timeout")).isEqualTo("1min");
        } finally {
            pool.stop().block();
        }
    }

    @Test
    void recycleAfterUsesReplacesTheBackend(TestDatabase db) {
        PgPool pool = PgPool.create(Pools.config("recycle", db).minConnections(0).maxConnections(1).recycleAfterUses(3).build());
        try {
            List<Integer> pids = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                pids.add(pid(pool));
            }
            assertThat(pids.subList(0, 3)).containsOnly(pids.get(0));
            assertThat(pids.subList(3, 6)).containsOnly(pids.get(3));
            assertThat(pids.get(3)).isNotEqualTo(pids.get(0));
            assertThat(pool.stats().recycled()).isEqualTo(2);
        } finally {
            pool.stop().block();
        }
    }

    @Test
    void maxLifetimeReplacesTheBackend(TestDatabase db) throws InterruptedException {
        PgPool pool = PgPool.create(Pools.config("lifetime", db).minConnections(0).maxConnections(1)
                .maxLifetime(Duration.ofMillis(300)).lifetimeJitter(0).build());
        try {
            int first = pid(pool);
            assertThat(pid(pool)).isEqualTo(first);
            Thread.sleep(400);
            assertThat(pid(pool)).isNotEqualTo(first);
            assertThat(pool.stats().expired()).isGreaterThanOrEqualTo(1);
        } finally {
            pool.stop().block();
        }
    }

    @Test
    void idleEvictionNeverGoesBelowTheMinimum(TestDatabase db) {
        PgPool pool = PgPool.create(Pools.config("idle", db).minConnections(2).maxConnections(5)
                .idleTimeout(Duration.ofMillis(200)).evictionInterval(Duration.ofMillis(50)).applicationName("idle-evict").build());
        try {
            pool.warmup().block();
            java.util.function.Function<io.r2dbc.spi.Connection, org.reactivestreams.Publisher<Long>> sleep =
                    c -> reactor.core.publisher.Flux.from(c.createStatement("SELECT pg_sleep(0.2)").execute()).flatMap(r -> r.getRowsUpdated());
            pool.inParallel(List.of(sleep, sleep, sleep, sleep, sleep)).blockLast();
            assertThat(pool.stats().allocated()).isGreaterThan(2);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            int lowest = Integer.MAX_VALUE;
            while (System.nanoTime() < deadline && pool.stats().allocated() > 2) {
                lowest = Math.min(lowest, pool.stats().allocated());
            }
            for (int i = 0; i < 20; i++) {
                lowest = Math.min(lowest, pool.stats().allocated());
                try {
                    Thread.sleep(25);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            assertThat(pool.stats().allocated()).isEqualTo(2);
            assertThat(lowest).isGreaterThanOrEqualTo(2);
            assertThat(pool.stats().idleEvicted()).isGreaterThanOrEqualTo(1);
            Pools.await("server sessions match the pool", Duration.ofSeconds(3), () -> Pools.sessions(db, "idle-evict") == 2);
        } finally {
            pool.stop().block();
        }
    }

    @Test
    void remoteValidationDiscardsADeadConnectionAndHandsOutAnother(TestDatabase db) {
        PgPool pool = PgPool.create(Pools.config("validate", db).minConnections(1).maxConnections(2)
                .validation(ValidationMode.REMOTE).applicationName("validate-me").build());
        PgPool admin = PgPool.create(Pools.config("admin", db).build());
        try {
            int victim = pid(pool);
            admin.query("SELECT pg_terminate_backend($1)", r -> r.get(0, Boolean.class), victim).blockLast();
            Pools.await("backend gone", Duration.ofSeconds(3), () -> admin.queryOne(
                    "SELECT count(*) FROM pg_stat_activity WHERE pid = $1", r -> r.get(0, Long.class), victim).block() == 0);
            int replacement = pid(pool);
            assertThat(replacement).isNotEqualTo(victim);
            assertThat(pool.stats().validationFailures()).isGreaterThanOrEqualTo(1);
            assertThat(pool.stats().validationPassRate()).isLessThan(1.0).isGreaterThan(0.0);
        } finally {
            pool.stop().block();
            admin.stop().block();
        }
    }

    @Test
    void queryValidationRunsTheConfiguredQuery(TestDatabase db) {
        PgPool pool = PgPool.create(Pools.config("vquery", db).validation(ValidationMode.QUERY)
                .validationQuery("SELECT 1/0").acquireTimeout(Duration.ofSeconds(1)).build());
        try {
            assertThatThrownBy(() -> pid(pool)).hasMessageContaining("division by zero");
            assertThat(pool.stats().acquireCount()).isZero();
        } finally {
            pool.stop().block();
        }
    }
}
