package dev.sluice.pool;

import dev.sluice.testkit.PostgresServer;
import dev.sluice.testkit.SluiceExtension;
import dev.sluice.testkit.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Brief section 7: tenant isolation through row-level security, under concurrency, over one small pool. */
@ExtendWith(SluiceExtension.class)
class TenantIsolationTest {

    private static final List<String> TENANTS = List.of("acme", "globex", "initech", "umbrella", "hooli", "stark-industries");

    @BeforeAll
    static void migrate(TestDatabase db) throws IOException {
        try (InputStream sql = TenantIsolationTest.class.getResourceAsStream("/dev/sluice/pool/tenant-rls-example.sql")) {
            PostgresServer.execute(db, new String(sql.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private static PgPool appPool(TestDatabase db, int max) {
        return PgPool.create(Pools.config("tenants", db).user("sluice_app").password("").maxConnections(max).minConnections(max)
                .acquireTimeout(Duration.ofSeconds(30)).build());
    }

    @Test
    void tenThousandConcurrentTenantScopedOperationsNeverSeeAnotherTenant(TestDatabase db) {
        PgPool pool = appPool(db, 6);
        AtomicLong foreignRows = new AtomicLong();
        AtomicLong leakedSettings = new AtomicLong();
        AtomicLong reads = new AtomicLong();
        try {
            pool.warmup().block();
            Flux.range(0, 10_000)
                    .flatMap(i -> {
                        String tenant = TENANTS.get(ThreadLocalRandom.current().nextInt(TENANTS.size()));
                        if (i % 10 == 0) {
                            return pool.queryOne("SELECT coalesce(current_setting('app.tenant_id', true), '')", r -> r.get(0, String.class))
                                    .doOnNext(setting -> {
                                        if (!setting.isEmpty()) {
                                            leakedSettings.incrementAndGet();
                                        }
                                    }).then();
                        }
                        if (i % 3 == 0) {
                            return pool.withTenant(tenant, tx -> tx.update("INSERT INTO documents (body) VALUES ($1)", tenant + " doc " + i)).then();
                        }
                        return pool.withTenant(tenant, tx -> tx.query("SELECT tenant_id FROM documents", r -> r.get(0, String.class)))
                                .doOnNext(owner -> {
                                    reads.incrementAndGet();
                                    if (!owner.equals(tenant)) {
                                        foreignRows.incrementAndGet();
                                    }
                                }).then();
                    }, 64)
                    .then()
                    .block(Duration.ofMinutes(3));

            assertThat(reads.get()).as("rows read through the policy").isGreaterThan(10_000);
            assertThat(foreignRows.get()).as("rows of another tenant").isZero();
            assertThat(leakedSettings.get()).as("returned connections carrying a tenant").isZero();
            long stored = Long.parseLong(PostgresServer.queryString(db, "SELECT count(*) FROM documents"));
            assertThat(stored).isEqualTo(Flux.range(0, 10_000).filter(i -> i % 10 != 0 && i % 3 == 0).count().block());
            assertThat(pool.queryOne("SELECT count(*) FROM documents", r -> r.get(0, Long.class)).block())
                    .as("without a tenant, the policy shows nothing").isZero();
        } finally {
            pool.stop().block();
        }
    }

    @Test
    void aTenantCannotWriteAnotherTenantsRows(TestDatabase db) {
        PgPool pool = appPool(db, 1);
        try {
            assertThatThrownBy(() -> pool.withTenant("acme", tx -> tx.update("INSERT INTO documents (tenant_id, body) VALUES ('globex', 'x')")).blockLast())
                    .hasMessageContaining("row-level security");
            assertThat(pool.withTenant("acme", tx -> tx.update("UPDATE documents SET body = 'mine' WHERE tenant_id = 'globex'")).blockLast())
                    .isZero();
        } finally {
            pool.stop().block();
        }
    }

    @Test
    void injectionAttemptsInTenantIdsNeverReachTheServer(TestDatabase db) {
        PgPool pool = appPool(db, 1);
        try {
            for (String attack : List.of("acme'; DROP TABLE documents; --", "acme' OR '1'='1", "", " acme", "acme\n", "a".repeat(65), "ümlaut", "-leading")) {
                assertThatThrownBy(() -> pool.withTenant(attack, tx -> Mono.just(1)))
                        .as("tenant id %s", attack)
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("is invalid: it must match");
            }
            assertThatThrownBy(() -> pool.withTenant(null, tx -> Mono.just(1))).hasMessageContaining("tenant id (missing)");
            assertThat(pool.stats().acquireCount()).as("nothing was sent").isZero();
            assertThat(PostgresServer.queryString(db, "SELECT to_regclass('documents')::text")).isEqualTo("documents");
        } finally {
            pool.stop().block();
        }
    }
}
