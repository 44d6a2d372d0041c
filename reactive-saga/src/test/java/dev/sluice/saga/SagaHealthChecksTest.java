package dev.sluice.saga;

import dev.sluice.pool.PgPool;
import dev.sluice.pool.PgPoolConfig;
import dev.sluice.pool.SslMode;
import dev.sluice.pool.check.CheckResult;
import dev.sluice.pool.check.HealthCheck;
import dev.sluice.pool.check.HealthStatus;
import dev.sluice.testkit.SluiceExtension;
import dev.sluice.testkit.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The saga log's health checks against a migrated log on a real PostgreSQL, with rows written the way the log writes them. */
@ExtendWith(SluiceExtension.class)
class SagaHealthChecksTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String SCHEMA = "saga_health_checks";

    private static PgPool pool;
    private static SagaLog log;

    @BeforeAll
    static void start(TestDatabase db) {
        pool = PgPool.create(PgPoolConfig.builder("saga-health").host(db.host()).port(db.port()).database(db.database())
                .user(db.user()).password(db.password()).sslMode(SslMode.DISABLE).maxConnections(4).build());
        log = SagaLog.create(pool, new SagaLogConfig(SCHEMA, "hc_"));
        log.migrate().block(WAIT);
    }

    @AfterAll
    static void stop() {
        pool.update("DROP SCHEMA " + SCHEMA + " CASCADE").block(WAIT);
        pool.stop().block(WAIT);
    }

    @BeforeEach
    void emptyLog() {
        pool.update("DELETE FROM " + SCHEMA + ".hc_saga").block(WAIT);
    }

    private static CheckResult run(HealthCheck check) {
        return check.check().block(WAIT);
    }

    private static UUID saga(String state, String leaseUntil) {
        UUID id = UUID.randomUUID();
        pool.update("INSERT INTO " + SCHEMA + ".hc_saga (saga_id, name, version, correlation_id, input, state, owner_id, lease_until) "
                + "VALUES ($1, 'order', 1, $2, '{}'::jsonb, $3, 'instance-a', " + leaseUntil + ")", id, id.toString(), state).block(WAIT);
        return id;
    }

    @Test
    void anEmptyLogIsHealthyWithZeroReadingsAndEveryCheckNamedAfterTheLog() {
        SagaHealthChecks checks = SagaHealthChecks.of(log);
        assertThat(checks.all()).extracting(HealthCheck::kind).containsExactly("saga.outbox", "saga.intervention", "saga.lease");
        assertThat(checks.all()).extracting(HealthCheck::name).containsOnly(SCHEMA + ".hc_saga");
        assertThat(checks.outbox().tags()).containsEntry("log", SCHEMA + ".hc_saga");
        for (HealthCheck check : checks.all()) {
            CheckResult result = run(check);
            assertThat(result.status()).as(check.kind()).isEqualTo(HealthStatus.HEALTHY);
            assertThat(result.readings().values()).as(check.kind()).hasSize(2).allSatisfy(r -> assertThat(r.value()).isZero());
        }
    }

    @Test
    void theOutboxCountsUndeliveredRowsAndTheOldestAgeAgainstItsThresholds() {
        UUID id = saga("COMPLETED", "NULL");
        for (int i = 0; i < 3; i++) {
            pool.update("INSERT INTO " + SCHEMA + ".hc_saga_outbox (saga_id, step_id, bucket, key, value, message_id, created_at) "
                    + "VALUES ($1, 'put', 'carts', $2, '\\x01'::bytea, $3, now() - interval '2 minutes')", id, "k" + i, id + "-" + i).block(WAIT);
        }
        pool.update("INSERT INTO " + SCHEMA + ".hc_saga_outbox (saga_id, step_id, bucket, key, value, message_id, delivered_at) "
                + "VALUES ($1, 'put', 'carts', 'done', NULL, $2, now())", id, id + "-done").block(WAIT);

        CheckResult byAge = run(SagaHealthChecks.of(log).outbox());
        assertThat(byAge.reading("saga.outbox.undelivered").orElseThrow().value()).as("the delivered row is not counted").isEqualTo(3);
        assertThat(byAge.reading("saga.outbox.oldest.age").orElseThrow().value()).isBetween(120_000.0, 180_000.0);
        assertThat(byAge.status()).as("2 min old: past the 1 min degraded age").isEqualTo(HealthStatus.DEGRADED);
        assertThat(byAge.error().orElseThrow()).contains("oldest undelivered outbox row's age").contains("degraded from 60000 ms");

        CheckResult byCount = run(SagaHealthChecks.builder(log).outboxBacklog(2, 3).build().outbox());
        assertThat(byCount.status()).isEqualTo(HealthStatus.UNHEALTHY);
        assertThat(byCount.error()).contains("3 undelivered outbox rows (unhealthy from 3)");

        pool.update("UPDATE " + SCHEMA + ".hc_saga_outbox SET delivered_at = now()").block(WAIT);
        CheckResult relayed = run(SagaHealthChecks.of(log).outbox());
        assertThat(relayed.status()).isEqualTo(HealthStatus.HEALTHY);
        assertThat(relayed.reading("saga.outbox.undelivered").orElseThrow().value()).isZero();
    }

    @Test
    void theInterventionQueueCountsUnresolvedEntriesOnly() {
        UUID failed = saga("COMPENSATION_FAILED", "NULL");
        UUID resolved = saga("COMPENSATION_FAILED", "NULL");
        for (UUID id : new UUID[] {failed, resolved}) {
            pool.update("INSERT INTO " + SCHEMA + ".hc_saga_intervention (saga_id, reason, errors, queued_at) "
                    + "VALUES ($1, 'refund failed', '[]'::jsonb, now() - interval '5 seconds')", id).block(WAIT);
        }
        pool.update("UPDATE " + SCHEMA + ".hc_saga_intervention SET resolved_at = now(), resolution = 'fixed by hand' WHERE saga_id = $1",
                resolved).block(WAIT);

        CheckResult queued = run(SagaHealthChecks.of(log).interventions());
        assertThat(queued.status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(queued.reading("saga.intervention.queued").orElseThrow().value()).isEqualTo(1);
        assertThat(queued.reading("saga.intervention.oldest.age").orElseThrow().value()).isGreaterThanOrEqualTo(5_000);
        assertThat(queued.error()).contains("1 sagas waiting for manual intervention (degraded from 1)");
        assertThat(run(SagaHealthChecks.builder(log).interventions(1, 1).build().interventions()).status()).isEqualTo(HealthStatus.UNHEALTHY);
    }

    @Test
    void leasesExpiredPastTheGraceOfRunningOrCompensatingSagasAreCounted() {
        saga("RUNNING", "now() - interval '2 minutes'");
        saga("COMPENSATING", "now() - interval '1 minute'");
        saga("RUNNING", "now() - interval '5 seconds'");
        saga("RUNNING", "now() + interval '1 minute'");
        saga("COMPLETED", "now() - interval '1 hour'");

        CheckResult expired = run(SagaHealthChecks.of(log).leases());
        assertThat(expired.reading("saga.lease.expired").orElseThrow().value())
                .as("the two expired more than 30 s ago; not the one within its grace, the live one or the finished one").isEqualTo(2);
        assertThat(expired.reading("saga.lease.expired.age").orElseThrow().value()).isBetween(120_000.0, 180_000.0);
        assertThat(expired.status()).isEqualTo(HealthStatus.DEGRADED);

        CheckResult noGrace = run(SagaHealthChecks.builder(log).leaseGrace(Duration.ZERO).expiredLeases(1, 3).build().leases());
        assertThat(noGrace.reading("saga.lease.expired").orElseThrow().value()).isEqualTo(3);
        assertThat(noGrace.status()).isEqualTo(HealthStatus.UNHEALTHY);
    }

    @Test
    void thresholdsThatCannotHoldAreRefusedWithTheirSetting() {
        assertThatThrownBy(() -> SagaHealthChecks.builder(log).outboxBacklog(10, 5).build())
                .hasMessage("outboxBacklog is 10 / 5; the degraded threshold must be at least 1 and at most the unhealthy one");
        assertThatThrownBy(() -> SagaHealthChecks.builder(log).interventions(0, 5).build()).hasMessageStartingWith("interventions is 0 / 5");
        assertThatThrownBy(() -> SagaHealthChecks.builder(log).outboxAge(Duration.ofMinutes(5), Duration.ofMinutes(1)).build())
                .hasMessageStartingWith("outboxAge is 300000 ms / 60000 ms");
        assertThatThrownBy(() -> SagaHealthChecks.builder(log).leaseGrace(Duration.ofSeconds(-1)).build()).hasMessageStartingWith("leaseGrace is -1000 ms");
    }
}
