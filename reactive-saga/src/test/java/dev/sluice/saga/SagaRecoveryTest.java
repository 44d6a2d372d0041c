package dev.sluice.saga;

import dev.sluice.pool.kv.KvStorage;
import dev.sluice.pool.kv.KvStore;
import dev.sluice.pool.kv.KvStores;
import dev.sluice.pool.kv.NatsConfig;
import dev.sluice.testkit.NatsServer;
import dev.sluice.testkit.PostgresServer;
import dev.sluice.testkit.SluiceExtension;
import dev.sluice.testkit.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static dev.sluice.saga.SagaFixture.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(SluiceExtension.class)
class SagaRecoveryTest {

    private static SagaFixture fx;

    @BeforeAll
    static void start(TestDatabase db, NatsServer nats) {
        fx = new SagaFixture(db, nats, SagaLogConfig.DEFAULT);
        PostgresServer.execute(db, "CREATE TABLE shipments (id bigserial PRIMARY KEY, saga_id uuid NOT NULL)");
    }

    @AfterAll
    static void stop() {
        fx.close();
    }

    private void awaitLeasesExpired() {
        SagaFixture.await("every lease expired", WAIT, () -> "0".equals(fx.query(
                "SELECT count(*) FROM sluice.saga WHERE state IN ('RUNNING', 'COMPENSATING') AND lease_until >= now()")));
    }

    @Test
    void aSagaWhoseOwnerStoppedIsFinishedByAnotherInstanceAndTheStaleOwnerIsFenced() {
        AtomicBoolean hang = new AtomicBoolean(true);
        String key = "recover." + UUID.randomUUID();
        SagaDefinition definition = SagaDefinition.builder("recoverable")
                .step(SagaStep.kvCreate("reserve", fx.kv, ctx -> key, ctx -> "r".getBytes(StandardCharsets.UTF_8)))
                .step(SagaStep.of("wait", ctx -> hang.get() ? Mono.never() : Mono.just("went on")).noCompensation()
                        .timeout(Duration.ofSeconds(4)))
                .step(SagaStep.sql("ship", fx.pool).update("INSERT INTO shipments (saga_id) VALUES ($1::uuid)",
                        ctx -> new Object[]{ctx.sagaId().toString()}).compensation("DELETE FROM shipments WHERE saga_id = $1::uuid",
                        (ctx, r) -> new Object[]{ctx.sagaId().toString()}).build())
                .build();
        SagaExecutor first = fx.executor("first");
        SagaExecutor second = fx.executor("second");
        second.register(definition);
        try {
            Mono<SagaResult> stale = first.run(definition, Map.of()).cache();
            stale.subscribe(r -> { }, e -> { });
            SagaFixture.await("the first instance is inside step 'wait'", WAIT, () -> "1".equals(fx.query(
                    "SELECT count(*) FROM sluice.saga_step WHERE step_id = 'wait' AND state = 'STARTED'")));
            first.close();
            awaitLeasesExpired();
            hang.set(false);

            List<SagaResult> recovered = second.recovery().recoverExpired().collectList().block(WAIT);

            assertThat(recovered).singleElement().satisfies(r -> {
                assertThat(r.outcome()).isEqualTo(SagaOutcome.COMPLETED);
                assertThat(r.results().get("wait").asText()).isEqualTo("went on");
            });
            UUID sagaId = recovered.get(0).sagaId();
            assertThat(fx.query("SELECT owner_id || ':' || recoveries FROM sluice.saga WHERE saga_id = '" + sagaId + "'"))
                    .isEqualTo("second:1");
            assertThat(fx.kv.history(key).filter(e -> !e.isDeleted()).count().block(WAIT)).isEqualTo(1L);
            assertThat(fx.query("SELECT count(*) FROM shipments WHERE saga_id = '" + sagaId + "'")).isEqualTo("1");
            StepVerifier.create(stale).expectError(SagaLeaseLostException.class).verify(WAIT);
            assertThat(fx.query("SELECT state FROM sluice.saga WHERE saga_id = '" + sagaId + "'")).isEqualTo("COMPLETED");
        } finally {
            first.close();
            second.close();
        }
    }

    @Test
    void aKvWriteWhoseCompletionWasNotLoggedIsRecognisedByItsMessageIdEvenWhenHistoryNoLongerHoldsIt(NatsServer nats) {
        KvStores shallow = KvStores.create(NatsConfig.builder().servers(nats.url()).bucketPrefix(nats.uniqueName("shallow") + "-")
                .bucket("h1", b -> b.history(1).storage(KvStorage.MEMORY)).build());
        shallow.start().block(WAIT);
        KvStore h1 = shallow.store("h1");
        AtomicBoolean hang = new AtomicBoolean(true);
        String key = "msgid." + UUID.randomUUID();
        SagaDefinition definition = SagaDefinition.builder("msgid-recovery")
                .step(SagaStep.kvPut("put", h1, ctx -> key, ctx -> "ours".getBytes(StandardCharsets.UTF_8)))
                .step(SagaStep.of("wait", ctx -> hang.get() ? Mono.never() : Mono.just("went on")).noCompensation()
                        .timeout(Duration.ofSeconds(4)))
                .build();
        SagaExecutor first = fx.executor("msgid-first");
        SagaExecutor second = fx.executor("msgid-second");
        second.register(definition);
        try {
            first.run(definition, Map.of()).subscribe(r -> { }, e -> { });
            SagaFixture.await("the first instance is inside step 'wait'", WAIT, () -> "1".equals(fx.query(
                    "SELECT count(*) FROM sluice.saga s JOIN sluice.saga_step t USING (saga_id) WHERE s.name = 'msgid-recovery' "
                            + "AND t.step_id = 'wait' AND t.state = 'STARTED'")));
            first.close();
            String sagaId = fx.query("SELECT saga_id FROM sluice.saga WHERE name = 'msgid-recovery'");
            String ourRevision = fx.query("SELECT result->>'revision' FROM sluice.saga_step WHERE saga_id = '" + sagaId
                    + "' AND step_id = 'put'");
            PostgresServer.execute(fx.db, "UPDATE sluice.saga_step SET state = 'STARTED', result = NULL, completed_at = NULL "
                    + "WHERE saga_id = '" + sagaId + "' AND step_id = 'put'");
            h1.put(key, "theirs").block(WAIT);
            awaitLeasesExpired();
            hang.set(false);

            List<SagaResult> recovered = second.recovery().recoverExpired().collectList().block(WAIT);

            assertThat(recovered).singleElement().satisfies(r -> {
                assertThat(r.outcome()).isEqualTo(SagaOutcome.COMPLETED);
                assertThat(r.results().get("put").get("revision").asText()).isEqualTo(ourRevision);
                assertThat(r.results().get("put").get("messageId").asText())
                        .isEqualTo("sluice-saga:" + sagaId + ":put:do:0");
            });
            assertThat(h1.get(key).block(WAIT).valueAsString()).isEqualTo("theirs");
        } finally {
            first.close();
            second.close();
            shallow.close();
        }
    }

    @Test
    void twoInstancesRecoveringAtOnceRecoverEachInterruptedSagaExactlyOnce() {
        int sagas = 24;
        String name = "orphaned-" + UUID.randomUUID().toString().substring(0, 8);
        AtomicBoolean hang = new AtomicBoolean(true);
        SagaDefinition definition = SagaDefinition.builder(name)
                .step(SagaStep.of("a", ctx -> Mono.just(1)).noCompensation())
                .step(SagaStep.of("b", ctx -> hang.get() ? Mono.never() : Mono.just(2)).noCompensation().timeout(Duration.ofSeconds(5)))
                .build();
        SagaExecutor dying = SagaExecutor.builder(fx.log).ownerId("dying").leaseDuration(Duration.ofSeconds(1)).build();
        SagaExecutor left = SagaExecutor.builder(fx.log).ownerId("left").leaseDuration(Duration.ofSeconds(2)).recoveryBatch(3).recoveryInterval(Duration.ofMillis(50))
                .register(definition).build();
        SagaExecutor right = SagaExecutor.builder(fx.log).ownerId("right").leaseDuration(Duration.ofSeconds(2)).recoveryBatch(3).recoveryInterval(Duration.ofMillis(50))
                .register(definition).build();
        Map<UUID, String> recoveredBy = new ConcurrentHashMap<>();
        List<UUID> duplicates = new CopyOnWriteArrayList<>();
        try {
            for (int i = 0; i < sagas; i++) {
                dying.run(definition, Map.of("i", i)).subscribe(r -> { }, e -> { });
            }
            SagaFixture.await("every saga is inside step 'b'", WAIT, () -> String.valueOf(sagas).equals(fx.query(
                    "SELECT count(*) FROM sluice.saga s JOIN sluice.saga_step t USING (saga_id) WHERE s.name = '" + name
                            + "' AND t.step_id = 'b' AND t.state = 'STARTED'")));
            dying.close();
            awaitLeasesExpired();
            hang.set(false);
            for (SagaExecutor executor : List.of(left, right)) {
                executor.events().filter(e -> e.type() == SagaEvent.Type.RECOVERED).subscribe(e -> {
                    if (recoveredBy.putIfAbsent(e.sagaId(), executor.ownerId()) != null) {
                        duplicates.add(e.sagaId());
                    }
                });
            }

            left.recovery().start().block();
            right.recovery().start().block();
            SagaFixture.await("every saga completed", WAIT, () -> String.valueOf(sagas).equals(fx.query(
                    "SELECT count(*) FROM sluice.saga WHERE name = '" + name + "' AND state = 'COMPLETED'")));

            assertThat(duplicates).isEmpty();
            assertThat(recoveredBy).hasSize(sagas);
            assertThat(fx.query("SELECT string_agg(DISTINCT recoveries::text, ',') FROM sluice.saga WHERE name = '" + name + "'"))
                    .isEqualTo("1");
            Set<String> owners = recoveredBy.values().stream().collect(Collectors.toSet());
            assertThat(owners).isSubsetOf("left", "right");
        } finally {
            dying.close();
            left.close();
            right.close();
        }
    }
}
