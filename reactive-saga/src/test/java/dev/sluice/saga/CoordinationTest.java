package dev.sluice.saga;

import dev.sluice.pool.kv.KvEntry;
import dev.sluice.pool.kv.KvStorage;
import dev.sluice.pool.kv.KvStore;
import dev.sluice.pool.kv.KvStores;
import dev.sluice.pool.kv.NatsConfig;
import dev.sluice.testkit.EmbeddedNats;
import dev.sluice.testkit.NatsServer;
import dev.sluice.testkit.PostgresServer;
import dev.sluice.testkit.SluiceExtension;
import dev.sluice.testkit.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static dev.sluice.saga.SagaFixture.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(SluiceExtension.class)
class CoordinationTest {

    private static SagaFixture fx;

    @BeforeAll
    static void start(TestDatabase db, NatsServer nats) {
        fx = new SagaFixture(db, nats, SagaLogConfig.DEFAULT);
        PostgresServer.execute(db, "CREATE TABLE payments (id bigserial PRIMARY KEY, ref text NOT NULL UNIQUE)");
    }

    @AfterAll
    static void stop() {
        fx.close();
    }

    private static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    private static String preparedOfOurs() {
        return fx.query("SELECT count(*) FROM pg_prepared_xacts WHERE database = current_database() AND gid LIKE 'sluice-saga:%'");
    }

    private static SagaStep insertPayment() {
        return SagaStep.sql("pay", fx.pool).query("INSERT INTO payments (ref) VALUES ($1) RETURNING id",
                ctx -> new Object[]{ctx.input().get("ref").asText()}).compensation("DELETE FROM payments WHERE id = $1").build();
    }

    private static String payments(String ref) {
        return fx.query("SELECT count(*) FROM payments WHERE ref = '" + ref + "'");
    }

    @Test
    void twoPhaseSagaCommitsItsPreparedSqlAfterTheKvWrites() {
        String ref = "2pc-ok-" + UUID.randomUUID();
        SagaDefinition definition = SagaDefinition.builder("two-phase-ok").coordination(Coordination.TWO_PHASE)
                .step(insertPayment())
                .step(SagaStep.kvPut("mark", fx.kv, ctx -> "paid." + ref, ctx -> utf8("yes")))
                .build();
        try (SagaExecutor executor = fx.executor("2pc-ok")) {
            SagaResult result = executor.run(definition, Map.of("ref", ref)).block(WAIT);

            assertThat(result.outcome()).isEqualTo(SagaOutcome.COMPLETED);
            assertThat(result.results().get("pay").get("id").asLong()).isPositive();
            assertThat(payments(ref)).isEqualTo("1");
            assertThat(fx.kv.get("paid." + ref).block(WAIT).valueAsString()).isEqualTo("yes");
            assertThat(fx.query("SELECT state FROM sluice.saga_prepared WHERE saga_id = '" + result.sagaId() + "'"))
                    .isEqualTo("COMMITTED");
            assertThat(preparedOfOurs()).isEqualTo("0");
        }
    }

    @Test
    void twoPhaseSagaRollsBackItsPreparedSqlWhenAKvWriteFails() {
        String ref = "2pc-fail-" + UUID.randomUUID();
        fx.kv.put("taken." + ref, "someone").block(WAIT);
        SagaDefinition definition = SagaDefinition.builder("two-phase-fail").coordination(Coordination.TWO_PHASE)
                .step(insertPayment())
                .step(SagaStep.kvPut("mark", fx.kv, ctx -> "paid." + ref, ctx -> utf8("yes")))
                .step(SagaStep.kvCreate("claim", fx.kv, ctx -> "taken." + ref, ctx -> utf8("us")))
                .build();
        try (SagaExecutor executor = fx.executor("2pc-fail")) {
            SagaResult result = executor.run(definition, Map.of("ref", ref)).block(WAIT);

            assertThat(result.outcome()).isEqualTo(SagaOutcome.ROLLED_BACK);
            assertThat(result.reason()).hasValueSatisfying(reason -> assertThat(reason).contains("claim"));
            assertThat(payments(ref)).isEqualTo("0");
            assertThat(fx.kv.get("paid." + ref).block(WAIT)).isNull();
            assertThat(fx.query("SELECT state FROM sluice.saga_step WHERE saga_id = '" + result.sagaId() + "' AND step_id = 'pay'"))
                    .isEqualTo("COMPENSATED");
            assertThat(preparedOfOurs()).isEqualTo("0");
        }
    }

    @Test
    void twoPhaseSagaAbandonedBetweenPrepareAndCommitIsSettledByRecoveryPerTheLog() {
        String committed = "2pc-crash-commit-" + UUID.randomUUID();
        String rolledBack = "2pc-crash-rollback-" + UUID.randomUUID();
        AtomicReference<Mono<String>> after = new AtomicReference<>(Mono.never());
        SagaDefinition definition = SagaDefinition.builder("two-phase-crash").coordination(Coordination.TWO_PHASE)
                .step(insertPayment())
                .step(SagaStep.kvPut("mark", fx.kv, ctx -> "paid." + ctx.input().get("ref").asText(), ctx -> utf8("yes")))
                .step(SagaStep.of("confirm", ctx -> ctx.input().get("ref").asText().equals(committed) ? after.get()
                        : after.get().then(Mono.<String>error(new IllegalStateException("confirmation refused")))).noCompensation()
                        .timeout(Duration.ofSeconds(4)))
                .build();
        SagaExecutor first = fx.executor("2pc-crash-first");
        SagaExecutor second = fx.executor("2pc-crash-second");
        second.register(definition);
        try {
            for (String ref : List.of(committed, rolledBack)) {
                first.run(definition, Map.of("ref", ref)).subscribe(r -> { }, e -> { });
            }
            SagaFixture.await("both sagas are prepared and waiting in 'confirm'", WAIT, () -> "2".equals(fx.query(
                    "SELECT count(*) FROM sluice.saga s JOIN sluice.saga_step t USING (saga_id) JOIN sluice.saga_prepared p "
                            + "USING (saga_id) WHERE s.name = 'two-phase-crash' AND t.step_id = 'confirm' AND t.state = 'STARTED' "
                            + "AND p.state = 'PREPARED'")));
            assertThat(preparedOfOurs()).isEqualTo("2");
            assertThat(payments(committed)).isEqualTo("0");
            first.close();
            SagaFixture.await("the abandoned leases expired", WAIT, () -> "0".equals(fx.query(
                    "SELECT count(*) FROM sluice.saga WHERE name = 'two-phase-crash' AND lease_until >= now()")));
            after.set(Mono.just("confirmed"));

            List<SagaResult> recovered = second.recovery().recoverExpired().collectList().block(WAIT);

            assertThat(recovered).extracting(SagaResult::outcome)
                    .containsExactlyInAnyOrder(SagaOutcome.COMPLETED, SagaOutcome.ROLLED_BACK);
            assertThat(payments(committed)).isEqualTo("1");
            assertThat(payments(rolledBack)).isEqualTo("0");
            assertThat(fx.kv.get("paid." + committed).block(WAIT).valueAsString()).isEqualTo("yes");
            assertThat(fx.kv.get("paid." + rolledBack).block(WAIT)).isNull();
            assertThat(preparedOfOurs()).isEqualTo("0");
        } finally {
            first.close();
            second.close();
        }
    }

    @Test
    void recoveryRollsBackAnOrphanedPreparedTransactionTheLogDoesNotKnow() {
        String ref = "2pc-orphan-" + UUID.randomUUID();
        String gid = fx.log.preparedGidPrefix() + UUID.randomUUID();
        fx.pool.inTransaction(tx -> tx.update("INSERT INTO payments (ref) VALUES ($1)", ref)
                .then(tx.update("PREPARE TRANSACTION '" + gid + "'"))).blockLast(WAIT);
        assertThat(preparedOfOurs()).isEqualTo("1");

        try (SagaExecutor executor = fx.executor("2pc-orphan")) {
            assertThat(executor.recovery().resolveOrphanedPrepared().block(WAIT)).isEqualTo(1);
        }

        assertThat(preparedOfOurs()).isEqualTo("0");
        assertThat(payments(ref)).isEqualTo("0");
    }

    @Test
    void definitionsThatDoNotSuitTheirCoordinationAreRefusedWhenBuilt() {
        assertThatThrownBy(() -> SagaDefinition.builder("no-sql").coordination(Coordination.TWO_PHASE)
                .step(SagaStep.kvPut("put", fx.kv, ctx -> "k", ctx -> utf8("v"))).build())
                .isInstanceOf(SagaDefinitionException.class).hasMessageContaining("no SQL step");
        assertThatThrownBy(() -> SagaDefinition.builder("eventual-update").coordination(Coordination.EVENTUAL)
                .step(insertPayment())
                .step(SagaStep.kvUpdate("bump", fx.kv, ctx -> "k", (ctx, entry) -> utf8("v"))).build())
                .isInstanceOf(SagaDefinitionException.class).hasMessageContaining("step 'bump'")
                .hasMessageContaining("use Coordination.SAGA or TWO_PHASE");
        assertThatThrownBy(() -> SagaDefinition.builder("eventual-create").coordination(Coordination.EVENTUAL)
                .step(SagaStep.kvCreate("claim", fx.kv, ctx -> "k", ctx -> utf8("v"))).build())
                .isInstanceOf(SagaDefinitionException.class).hasMessageContaining("step 'claim'");
        assertThatThrownBy(() -> SagaDefinition.builder("eventual-mono").coordination(Coordination.EVENTUAL)
                .step(SagaStep.of("notify", ctx -> Mono.just(1)).noCompensation()).build())
                .isInstanceOf(SagaDefinitionException.class).hasMessageContaining("step 'notify'");
    }

    /** A saga log in its own schema, migrated. */
    private static SagaLog migratedLog(String schema) {
        SagaLog log = SagaLog.create(fx.pool, new SagaLogConfig(schema, ""));
        log.migrate().block(WAIT);
        return log;
    }

    /** An eventual saga of one step: put the input's {@code value} (UTF-8) under its {@code key}, through the outbox. */
    private static SagaDefinition eventualPost(String name) {
        return SagaDefinition.builder(name).coordination(Coordination.EVENTUAL)
                .step(SagaStep.kvPut("post", fx.kv, ctx -> ctx.input().get("key").asText(), ctx -> utf8(ctx.input().get("value").asText())))
                .build();
    }

    @Test
    void anOutboxRowKvRefusesHoldsBackOnlyTheLaterRowsOfItsOwnKey() {
        SagaLog log = migratedLog("outbox_refused");
        String run = UUID.randomUUID().toString().substring(0, 8);
        SagaDefinition definition = eventualPost("eventual-refused");
        try (SagaExecutor executor = SagaExecutor.builder(log).ownerId("eventual-refused").build()) {
            for (List<String> write : List.of(List.of("bad key", "1"), List.of("bad key", "2"), List.of("ok." + run, "a"),
                    List.of("ok." + run, "b"), List.of("other." + run, "c"))) {
                assertThat(executor.run(definition, Map.of("key", write.get(0), "value", write.get(1))).block(WAIT).outcome())
                        .isEqualTo(SagaOutcome.COMPLETED);
            }

            assertThat(executor.outbox().relayPending().block(WAIT)).isEqualTo(3);

            assertThat(fx.kv.history("ok." + run).map(KvEntry::valueAsString).collectList().block(WAIT)).containsExactly("a", "b");
            assertThat(fx.kv.get("other." + run).block(WAIT).valueAsString()).isEqualTo("c");
            assertThat(executor.outbox().pending().block(WAIT)).isEqualTo(2);
            assertThat(fx.query("SELECT string_agg(convert_from(value, 'UTF8') || ':' || (attempts > 0) || ':' "
                    + "|| coalesce(last_error, '-'), ',' ORDER BY id) FROM outbox_refused.saga_outbox WHERE delivered_at IS NULL"))
                    .as("the refused row, with its error, then the row of the same key it holds back, never tried")
                    .matches("1:true:.*IllegalArgumentException.*bad key.*,2:false:-");
        }
    }

    @Test
    void moreRefusedOutboxRowsThanABatchHoldsDoNotHoldBackTheRowsAfterThem() {
        SagaLog log = migratedLog("outbox_refused_many");
        String run = UUID.randomUUID().toString().substring(0, 8);
        SagaDefinition definition = eventualPost("eventual-refused-many");
        // batches of 2: the three refused rows come first, so the first batch delivers nothing
        try (SagaExecutor executor = SagaExecutor.builder(log).ownerId("eventual-refused-many").recoveryBatch(2).build()) {
            for (String key : List.of("bad key 1", "bad key 2", "bad key 3", "ok." + run)) {
                assertThat(executor.run(definition, Map.of("key", key, "value", "v")).block(WAIT).outcome()).isEqualTo(SagaOutcome.COMPLETED);
            }

            assertThat(executor.outbox().relayPending().block(WAIT)).isEqualTo(1);

            assertThat(fx.kv.get("ok." + run).block(WAIT).valueAsString()).isEqualTo("v");
            assertThat(fx.query("SELECT string_agg(key || ':' || attempts, ',' ORDER BY id) FROM outbox_refused_many.saga_outbox "
                    + "WHERE delivered_at IS NULL")).as("each refused row tried once in the pass").isEqualTo("bad key 1:1,bad key 2:1,bad key 3:1");
        }
    }

    @Test
    void eventualSagaDeletesAKeyThroughTheOutboxAfterItsPutAndOnceWhenDeliveredAgain() {
        String ref = "ev-delete-" + UUID.randomUUID();
        fx.kv.put("cart." + ref, "items").block(WAIT);
        SagaDefinition definition = SagaDefinition.builder("eventual-checkout").coordination(Coordination.EVENTUAL)
                .step(insertPayment())
                .step(SagaStep.kvPut("archive", fx.kv, ctx -> "cart." + ref, ctx -> utf8("archived")))
                .step(SagaStep.kvDelete("close", fx.kv, ctx -> "cart." + ref))
                .build();
        try (SagaExecutor executor = fx.executor("eventual-delete")) {
            SagaResult result = executor.run(definition, Map.of("ref", ref)).block(WAIT);
            assertThat(result.outcome()).isEqualTo(SagaOutcome.COMPLETED);
            assertThat(fx.kv.get("cart." + ref).block(WAIT).valueAsString()).as("KV follows only through the relay").isEqualTo("items");
            String rows = "FROM sluice.saga_outbox WHERE saga_id = '" + result.sagaId() + "'";
            assertThat(fx.query("SELECT string_agg(step_id || ':' || coalesce(convert_from(value, 'UTF8'), '<delete>'), ',' ORDER BY id) "
                    + rows)).isEqualTo("archive:archived,close:<delete>");

            assertThat(executor.outbox().relayPending().block(WAIT)).isEqualTo(2);
            List<KvEntry> history = fx.kv.history("cart." + ref).collectList().block(WAIT);
            assertThat(history).extracting(e -> e.isDeleted() ? "<deleted>" : e.valueAsString())
                    .containsExactly("items", "archived", "<deleted>");
            assertThat(fx.kv.get("cart." + ref).block(WAIT)).isNull();
            String marker = String.valueOf(history.get(2).revision());
            assertThat(fx.query("SELECT revision " + rows + " AND step_id = 'close'")).isEqualTo(marker);

            PostgresServer.execute(fx.db, "UPDATE sluice.saga_outbox SET delivered_at = NULL WHERE saga_id = '" + result.sagaId() + "'");
            assertThat(executor.outbox().relayPending().block(WAIT)).isEqualTo(2);
            assertThat(fx.kv.history("cart." + ref).count().block(WAIT)).as("delivered again: acknowledged, not stored").isEqualTo(3);
            assertThat(fx.query("SELECT revision " + rows + " AND step_id = 'close'")).isEqualTo(marker);
        }
    }

    @Test
    void eventualSagasCommitWhileNatsIsDownAndTheirOutboxRowsReachKvOnceInOrderPerKey(TestDatabase db) {
        int sagas = 9;
        try (EmbeddedNats nats = EmbeddedNats.start();
             KvStores stores = KvStores.create(NatsConfig.builder().servers(nats.url()).bucketPrefix("outbox-")
                     .requestTimeout(Duration.ofSeconds(1))
                     .bucket("ledger", b -> b.history(20).storage(KvStorage.FILE)).build())) {
            stores.start().block(WAIT);
            KvStore ledger = stores.store("ledger");
            String run = UUID.randomUUID().toString().substring(0, 8);
            SagaDefinition definition = SagaDefinition.builder("eventual-ledger").coordination(Coordination.EVENTUAL)
                    .step(insertPayment())
                    .step(SagaStep.kvPut("post", ledger, ctx -> "acct." + run + "." + ctx.input().get("account").asText(),
                            ctx -> utf8(ctx.input().get("ref").asText())))
                    .build();
            try (SagaExecutor executor = fx.executor("eventual")) {
                executor.register(definition);
                nats.stop();
                List<String> refs = new ArrayList<>();
                for (int i = 0; i < sagas; i++) {
                    String ref = "ev-" + run + "-" + i;
                    refs.add(ref);
                    SagaResult result = executor.run(definition, Map.of("ref", ref, "account", String.valueOf(i % 3))).block(WAIT);
                    assertThat(result.outcome()).isEqualTo(SagaOutcome.COMPLETED);
                }
                assertThat(fx.query("SELECT count(*) FROM payments WHERE ref LIKE 'ev-" + run + "-%'")).isEqualTo(String.valueOf(sagas));

                assertThat(executor.outbox().relayPending().block(WAIT)).isZero();
                assertThat(executor.outbox().pending().block(WAIT)).isEqualTo(sagas);
                assertThat(fx.query("SELECT sum(attempts) FROM sluice.saga_outbox WHERE key LIKE 'acct." + run + ".%'")).isNotEqualTo("0");

                nats.startProcess();
                executor.outbox().start().block(WAIT);
                SagaFixture.await("every outbox row is delivered", WAIT, () -> executor.outbox().pending().block(WAIT) == 0L);

                for (int account = 0; account < 3; account++) {
                    List<String> expected = new ArrayList<>();
                    for (int i = account; i < sagas; i += 3) {
                        expected.add(refs.get(i));
                    }
                    List<String> history = ledger.history("acct." + run + "." + account).map(KvEntry::valueAsString)
                            .collectList().block(WAIT);
                    assertThat(history).as("account %d: each row once, in saga order", account).isEqualTo(expected);
                }
            }
        }
    }
}
