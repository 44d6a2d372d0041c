package dev.sluice.saga;

import dev.sluice.pool.RetryPolicy;
import dev.sluice.testkit.NatsServer;
import dev.sluice.testkit.PostgresServer;
import dev.sluice.testkit.SluiceExtension;
import dev.sluice.testkit.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.sluice.saga.SagaFixture.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(SluiceExtension.class)
class SagaExecutionTest {

    private static SagaFixture fx;
    private static SagaExecutor executor;

    @BeforeAll
    static void start(TestDatabase db, NatsServer nats) {
        fx = new SagaFixture(db, nats, SagaLogConfig.DEFAULT);
        PostgresServer.execute(db, "CREATE TABLE orders (id bigserial PRIMARY KEY, saga_id uuid NOT NULL, item text NOT NULL)");
        executor = SagaExecutor.builder(fx.log).ownerId("exec-test").build();
    }

    @AfterAll
    static void stop() {
        executor.close();
        fx.close();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static SagaStep traced(List<String> trace, String id, boolean fails) {
        return SagaStep.of(id, ctx -> Mono.fromRunnable(() -> trace.add("do:" + id))
                        .then(fails ? Mono.error(new IllegalStateException(id + " broke")) : Mono.just(id)))
                .compensateWith((ctx, result) -> Mono.fromRunnable(() -> trace.add("undo:" + id)));
    }

    private static String text(String key) {
        var entry = fx.kv.get(key).block(WAIT);
        return entry == null ? null : entry.valueAsString();
    }

    @Test
    void aCompletedSagaHasEveryEffectAndTheLogRecordsEachStep() {
        String key = "stock." + UUID.randomUUID();
        SagaDefinition order = SagaDefinition.builder("order-complete")
                .step(SagaStep.kvCreate("reserve", fx.kv, ctx -> key, ctx -> utf8(ctx.input().get("item").asText())))
                .step(SagaStep.sql("insert-order", fx.pool)
                        .query("INSERT INTO orders (saga_id, item) VALUES ($1::uuid, $2) RETURNING id",
                                ctx -> new Object[]{ctx.sagaId().toString(), ctx.input().get("item").asText()})
                        .compensation("DELETE FROM orders WHERE id = $1")
                        .build())
                .step(SagaStep.of("confirm", ctx -> Mono.just(Map.of("order", ctx.result("insert-order").orElseThrow().get("id").asLong())))
                        .noCompensation())
                .build();

        SagaResult result = executor.run(order, Map.of("item", "lamp"), "req-1").block(WAIT);

        assertThat(result.outcome()).isEqualTo(SagaOutcome.COMPLETED);
        assertThat(result.correlationId()).isEqualTo("req-1");
        assertThat(result.reason()).isEmpty();
        long orderId = result.results().get("insert-order").get("id").asLong();
        assertThat(result.results().get("confirm").get("order").asLong()).isEqualTo(orderId);
        assertThat(text(key)).isEqualTo("lamp");
        assertThat(fx.query("SELECT item FROM orders WHERE id = " + orderId)).isEqualTo("lamp");
        assertThat(fx.query("SELECT state FROM sluice.saga WHERE saga_id = '" + result.sagaId() + "'")).isEqualTo("COMPLETED");
        assertThat(fx.query("SELECT string_agg(step_id || '=' || state, ',' ORDER BY position) FROM sluice.saga_step "
                + "WHERE saga_id = '" + result.sagaId() + "' AND started_at IS NOT NULL AND completed_at IS NOT NULL"))
                .isEqualTo("reserve=COMPLETED,insert-order=COMPLETED,confirm=COMPLETED");
        assertThat(fx.query("SELECT pre_image->>'existed' FROM sluice.saga_step WHERE saga_id = '" + result.sagaId()
                + "' AND step_id = 'reserve'")).isEqualTo("false");
    }

    /**
     * A SQL step last in the saga commits its effect, its record, the previous step's deferred record and the saga's
     * end in one transaction (one xmin on all four rows); a SQL step that is also the saga's first writes the saga's
     * own record there, and the end comes after.
     */
    @Test
    void aLastSqlStepCommitsItsEffectItsRecordAndTheSagasEndTogether() {
        String key = "last." + UUID.randomUUID();
        SagaDefinition definition = SagaDefinition.builder("sql-last")
                .step(SagaStep.kvPut("reserve", fx.kv, ctx -> key, ctx -> utf8("r")))
                .step(SagaStep.sql("insert-order", fx.pool)
                        .query("INSERT INTO orders (saga_id, item) VALUES ($1::uuid, 'last') RETURNING id",
                                ctx -> new Object[]{ctx.sagaId().toString()})
                        .compensation("DELETE FROM orders WHERE id = $1")
                        .build())
                .build();

        SagaResult result = executor.run(definition, Map.of()).block(WAIT);

        assertThat(result.outcome()).isEqualTo(SagaOutcome.COMPLETED);
        String id = "'" + result.sagaId() + "'";
        assertThat(fx.query("SELECT count(DISTINCT x) FROM (SELECT xmin::text AS x FROM orders WHERE saga_id = " + id
                + " UNION ALL SELECT xmin::text FROM sluice.saga_step WHERE saga_id = " + id
                + " UNION ALL SELECT xmin::text FROM sluice.saga WHERE saga_id = " + id + " AND state = 'COMPLETED') t")).isEqualTo("1");
        assertThat(fx.query("SELECT string_agg(step_id || '=' || state, ',' ORDER BY position) FROM sluice.saga_step WHERE saga_id = " + id))
                .isEqualTo("reserve=COMPLETED,insert-order=COMPLETED");

        SagaDefinition alone = SagaDefinition.builder("sql-alone")
                .step(SagaStep.sql("insert-order", fx.pool)
                        .update("INSERT INTO orders (saga_id, item) VALUES ($1::uuid, 'alone')", ctx -> new Object[]{ctx.sagaId().toString()})
                        .compensation("DELETE FROM orders WHERE saga_id = $1::uuid", (ctx, recorded) -> new Object[]{ctx.sagaId().toString()})
                        .build())
                .build();
        SagaResult single = executor.run(alone, Map.of()).block(WAIT);
        assertThat(single.outcome()).isEqualTo(SagaOutcome.COMPLETED);
        assertThat(fx.query("SELECT state FROM sluice.saga WHERE saga_id = '" + single.sagaId() + "'")).isEqualTo("COMPLETED");
        assertThat(fx.query("SELECT state FROM sluice.saga_step WHERE saga_id = '" + single.sagaId() + "'")).isEqualTo("COMPLETED");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void aFailingStepCompensatesTheCompletedStepsInReverseOrder(int failing) {
        List<String> trace = new CopyOnWriteArrayList<>();
        SagaDefinition.Builder builder = SagaDefinition.builder("reverse-" + failing);
        for (int i = 0; i < 4; i++) {
            builder.step(traced(trace, "s" + i, i == failing));
        }

        SagaResult result = executor.run(builder.build(), Map.of()).block(WAIT);

        assertThat(result.outcome()).isEqualTo(SagaOutcome.ROLLED_BACK);
        assertThat(result.reason()).get().asString().contains("step 's" + failing + "' failed").contains("s" + failing + " broke");
        List<String> expected = new ArrayList<>();
        for (int i = 0; i <= failing; i++) {
            expected.add("do:s" + i);
        }
        for (int i = failing - 1; i >= 0; i--) {
            expected.add("undo:s" + i);
        }
        assertThat(trace).containsExactlyElementsOf(expected);
    }

    @Test
    void aParallelGroupFailsAsAWholeAndItsCompletedMembersAreCompensated() {
        List<String> trace = new CopyOnWriteArrayList<>();
        SagaStep slowFailure = SagaStep.of("c", ctx -> Mono.delay(Duration.ofMillis(100)).then(Mono.error(new IllegalStateException("c broke"))))
                .compensateWith((ctx, r) -> Mono.fromRunnable(() -> trace.add("undo:c")));
        SagaDefinition definition = SagaDefinition.builder("parallel")
                .step(traced(trace, "a", false))
                .parallel(traced(trace, "b", false), slowFailure, traced(trace, "d", false))
                .step(traced(trace, "e", false))
                .build();

        SagaResult result = executor.run(definition, Map.of()).block(WAIT);

        assertThat(result.outcome()).isEqualTo(SagaOutcome.ROLLED_BACK);
        assertThat(trace).doesNotContain("do:e", "undo:c");
        assertThat(trace).containsSubsequence("undo:d", "undo:b", "undo:a");
        assertThat(trace.subList(0, 3)).containsExactlyInAnyOrder("do:a", "do:b", "do:d");
    }

    @Test
    void aStepThatTimesOutIsRetriedUnderItsPolicy() {
        AtomicInteger attempts = new AtomicInteger();
        SagaStep flaky = SagaStep.of("flaky", ctx -> attempts.incrementAndGet() == 1 ? Mono.never() : Mono.just("ok"))
                .noCompensation()
                .timeout(Duration.ofMillis(300))
                .retry(new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(50), 0));

        SagaResult result = executor.run(SagaDefinition.builder("retry").step(flaky).build(), Map.of()).block(WAIT);

        assertThat(result.outcome()).isEqualTo(SagaOutcome.COMPLETED);
        assertThat(attempts).hasValue(2);
        assertThat(fx.query("SELECT attempts FROM sluice.saga_step WHERE saga_id = '" + result.sagaId() + "'")).isEqualTo("2");
    }

    @Test
    void aStepThatKeepsTimingOutRollsBackWithTheTimeoutAsReason() {
        AtomicInteger attempts = new AtomicInteger();
        List<String> trace = new CopyOnWriteArrayList<>();
        SagaStep hangs = SagaStep.of("hangs", ctx -> Mono.fromRunnable(attempts::incrementAndGet).then(Mono.never()))
                .noCompensation()
                .timeout(Duration.ofMillis(200))
                .retry(new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(10), 0));
        SagaDefinition definition = SagaDefinition.builder("timeout").step(traced(trace, "first", false)).step(hangs).build();

        SagaResult result = executor.run(definition, Map.of()).block(WAIT);

        assertThat(result.outcome()).isEqualTo(SagaOutcome.ROLLED_BACK);
        assertThat(result.reason()).get().asString().contains("step 'hangs' failed").contains("TimeoutException");
        assertThat(attempts).hasValue(2);
        assertThat(trace).containsExactly("do:first", "undo:first");
    }

    @Test
    void theConsistencyCheckCanVetoTheCommitAndTheSagaIsCompensated() {
        String key = "veto." + UUID.randomUUID();
        SagaDefinition definition = SagaDefinition.builder("vetoed")
                .step(SagaStep.kvPut("write", fx.kv, ctx -> key, ctx -> utf8("v")))
                .consistencyCheck(ctx -> Mono.just("stock does not match the order"))
                .build();

        SagaResult result = executor.run(definition, Map.of()).block(WAIT);

        assertThat(result.outcome()).isEqualTo(SagaOutcome.ROLLED_BACK);
        assertThat(result.reason()).get().asString().contains("stock does not match the order");
        assertThat(text(key)).isNull();
    }

    @Test
    void kvUpdateAndDeleteAreUndoneByTheirCompensations() {
        String counter = "counter." + UUID.randomUUID();
        String doomed = "doomed." + UUID.randomUUID();
        fx.kv.put(counter, "10").block(WAIT);
        fx.kv.put(doomed, "keep me").block(WAIT);
        SagaDefinition definition = SagaDefinition.builder("kv-undo")
                .step(SagaStep.kvUpdate("decrement", fx.kv, ctx -> counter,
                        (ctx, entry) -> utf8(String.valueOf(Integer.parseInt(entry.valueAsString()) - 1))))
                .step(SagaStep.kvDelete("remove", fx.kv, ctx -> doomed))
                .step(SagaStep.of("fail", ctx -> Mono.error(new IllegalStateException("no"))).noCompensation())
                .build();

        SagaResult result = executor.run(definition, Map.of()).block(WAIT);

        assertThat(result.outcome()).isEqualTo(SagaOutcome.ROLLED_BACK);
        assertThat(text(counter)).isEqualTo("10");
        assertThat(text(doomed)).isEqualTo("keep me");
    }

    /**
     * A put first tries a create (its keys are usually new); on a key that holds a value the create is refused, and
     * the step reads the key, logs the real pre-image and overwrites it, so the compensation puts the old value back.
     * Once its keys mostly held values, the step reads first: the logged message id then names the key's revision.
     */
    @Test
    void aPutOverAnExistingKeyRecordsThePreviousValueAndItsCompensationPutsItBack() {
        SagaStep put = SagaStep.kvPut("overwrite", fx.kv, ctx -> ctx.input(String.class), ctx -> utf8("saga"));
        SagaDefinition definition = SagaDefinition.builder("overwrite")
                .step(put)
                .step(SagaStep.of("fail", ctx -> Mono.error(new IllegalStateException("declined"))).noCompensation())
                .build();
        List<String> attempts = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String key = "existing." + UUID.randomUUID();
            long revision = fx.kv.put(key, "before").block(WAIT);

            SagaResult result = executor.run(definition, key).block(WAIT);

            assertThat(result.outcome()).isEqualTo(SagaOutcome.ROLLED_BACK);
            assertThat(text(key)).isEqualTo("before");
            assertThat(fx.query("SELECT (pre_image->>'existed') || ' ' || (pre_image->>'revision') || ' ' || (pre_image->>'messageId') "
                    + "FROM sluice.saga_step WHERE saga_id = '" + result.sagaId() + "' AND step_id = 'overwrite'"))
                    .isEqualTo("true " + revision + " sluice-saga:" + result.sagaId() + ":overwrite:do:" + revision);
            attempts.add(fx.query("SELECT attempts FROM sluice.saga_step WHERE saga_id = '" + result.sagaId() + "' AND step_id = 'overwrite'"));
        }
        assertThat(attempts).as("logged attempts of each run: a refused create, then reads first").containsExactly("2", "1", "1", "1", "1", "1");
    }

    /**
     * A create step on a key that holds a value fails, and the value stays: the refused create-first attempt is
     * followed by the real pre-image in the log (the key existed), so nothing the saga did not write is undone.
     */
    @Test
    void aCreateOnAKeyThatHoldsAValueFailsAndLeavesTheValue() {
        String key = "taken." + UUID.randomUUID();
        fx.kv.put(key, "theirs").block(WAIT);
        SagaDefinition definition = SagaDefinition.builder("create-taken")
                .step(SagaStep.kvCreate("claim", fx.kv, ctx -> key, ctx -> utf8("theirs")))
                .build();

        SagaResult result = executor.run(definition, Map.of()).block(WAIT);

        assertThat(result.outcome()).isEqualTo(SagaOutcome.ROLLED_BACK);
        assertThat(result.reason()).get().asString().contains("claim").contains("already exists");
        assertThat(text(key)).isEqualTo("theirs");
        assertThat(fx.query("SELECT pre_image->>'existed' FROM sluice.saga_step WHERE saga_id = '" + result.sagaId() + "'")).isEqualTo("true");
    }

    @Test
    void aKvCompensationThatMeetsANewerWriteFailsAndKeepsTheNewerValue() {
        String key = "contended." + UUID.randomUUID();
        SagaDefinition definition = SagaDefinition.builder("contended")
                .step(SagaStep.kvPut("write", fx.kv, ctx -> key, ctx -> utf8("saga")))
                .step(SagaStep.of("other-writer-then-fail", ctx -> fx.kv.put(key, "newer")
                        .then(Mono.error(new IllegalStateException("payment declined")))).noCompensation())
                .build();

        SagaResult result = executor.run(definition, Map.of()).block(WAIT);

        assertThat(result.outcome()).isEqualTo(SagaOutcome.COMPENSATION_FAILED);
        assertThat(result.errors()).singleElement().asString().startsWith("write: ").contains("written after revision")
                .contains("newer value is kept");
        assertThat(text(key)).isEqualTo("newer");
        assertThat(executor.queue().list().map(InterventionEntry::sagaId).collectList().block(WAIT)).contains(result.sagaId());
    }

    @Test
    void aFailedCompensationIsQueuedAndARetryAfterTheFixRollsBack() {
        AtomicBoolean broken = new AtomicBoolean(true);
        AtomicInteger undone = new AtomicInteger();
        SagaDefinition definition = SagaDefinition.builder("queued")
                .step(SagaStep.of("charge", ctx -> Mono.just("charged"))
                        .compensateWith((ctx, r) -> broken.get()
                                ? Mono.error(new IllegalStateException("refund service down"))
                                : Mono.fromRunnable(undone::incrementAndGet))
                        .compensationRetry(new RetryPolicy(2, Duration.ofMillis(5), Duration.ofMillis(5), 0)))
                .step(SagaStep.of("ship", ctx -> Mono.error(new IllegalStateException("no courier"))).noCompensation())
                .build();

        SagaResult failed = executor.run(definition, Map.of(), "queue-1").block(WAIT);

        assertThat(failed.outcome()).isEqualTo(SagaOutcome.COMPENSATION_FAILED);
        assertThat(failed.reason()).get().asString().contains("no courier");
        assertThat(failed.errors()).singleElement().asString().contains("charge: ").contains("refund service down");
        InterventionEntry entry = executor.queue().list().filter(e -> e.sagaId().equals(failed.sagaId())).blockFirst(WAIT);
        assertThat(entry.correlationId()).isEqualTo("queue-1");
        assertThat(entry.errors()).singleElement().asString().contains("refund service down");

        StepVerifier.create(executor.queue().retry(failed.sagaId()))
                .assertNext(again -> assertThat(again.outcome()).isEqualTo(SagaOutcome.COMPENSATION_FAILED))
                .verifyComplete();
        broken.set(false);
        StepVerifier.create(executor.queue().retry(failed.sagaId()))
                .assertNext(retried -> assertThat(retried.outcome()).isEqualTo(SagaOutcome.ROLLED_BACK))
                .verifyComplete();

        assertThat(undone).hasValue(1);
        assertThat(executor.queue().list().map(InterventionEntry::sagaId).collectList().block(WAIT)).doesNotContain(failed.sagaId());
        InterventionEntry resolved = executor.queue().history().filter(e -> e.sagaId().equals(failed.sagaId())).blockFirst(WAIT);
        assertThat(resolved.retries()).isEqualTo(2);
        assertThat(resolved.resolution()).contains("retried: rolled back");
        StepVerifier.create(executor.queue().retry(failed.sagaId())).expectError(IllegalStateException.class).verify(WAIT);
    }

    @Test
    void aQueuedSagaCanBeMarkedResolvedByHand() {
        SagaDefinition definition = SagaDefinition.builder("resolved")
                .step(SagaStep.of("a", ctx -> Mono.just(1)).compensateWith((ctx, r) -> Mono.error(new IllegalStateException("stuck"))))
                .step(SagaStep.of("b", ctx -> Mono.error(new IllegalStateException("fail"))).noCompensation())
                .build();
        SagaResult failed = executor.run(definition, Map.of()).block(WAIT);

        StepVerifier.create(executor.queue().resolve(failed.sagaId(), "refunded by hand, ticket 42")).expectNext(true).verifyComplete();
        StepVerifier.create(executor.queue().resolve(failed.sagaId(), "again")).expectNext(false).verifyComplete();

        assertThat(executor.queue().list().map(InterventionEntry::sagaId).collectList().block(WAIT)).doesNotContain(failed.sagaId());
        assertThat(executor.queue().history().filter(e -> e.sagaId().equals(failed.sagaId())).blockFirst(WAIT).resolution())
                .contains("refunded by hand, ticket 42");
    }

    @Test
    void sqlCompensationRunsTheGivenSqlWithTheRecordedResult() {
        SagaDefinition definition = SagaDefinition.builder("sql-undo")
                .step(SagaStep.sql("insert", fx.pool)
                        .query("INSERT INTO orders (saga_id, item) VALUES ($1::uuid, 'undo-me') RETURNING id",
                                ctx -> new Object[]{ctx.sagaId().toString()})
                        .compensation("DELETE FROM orders WHERE id = $1")
                        .build())
                .step(SagaStep.of("fail", ctx -> Mono.error(new IllegalStateException("no"))).noCompensation())
                .build();

        SagaResult result = executor.run(definition, Map.of()).block(WAIT);

        assertThat(result.outcome()).isEqualTo(SagaOutcome.ROLLED_BACK);
        assertThat(fx.query("SELECT count(*) FROM orders WHERE saga_id = '" + result.sagaId() + "'")).isEqualTo("0");
        assertThat(fx.query("SELECT state FROM sluice.saga_step WHERE saga_id = '" + result.sagaId() + "' AND step_id = 'insert'"))
                .isEqualTo("COMPENSATED");
    }

    @Test
    void cancellingTheCallerDoesNotAbandonAStartedSaga() {
        String key = "cancelled." + UUID.randomUUID();
        SagaDefinition definition = SagaDefinition.builder("cancelled")
                .step(SagaStep.of("slow", ctx -> Mono.delay(Duration.ofMillis(300)).thenReturn(1)).noCompensation())
                .step(SagaStep.kvPut("write", fx.kv, ctx -> key, ctx -> utf8("done")))
                .build();
        List<SagaEvent> events = new CopyOnWriteArrayList<>();
        Disposable watching = executor.events().filter(e -> e.sagaName().equals("cancelled")).subscribe(events::add);

        Disposable caller = executor.run(definition, Map.of()).subscribe();
        SagaFixture.await("the saga started", WAIT, () -> !events.isEmpty());
        caller.dispose();

        SagaFixture.await("the saga completed", WAIT, () -> events.stream().anyMatch(e -> e.type() == SagaEvent.Type.COMPLETED));
        watching.dispose();
        assertThat(text(key)).isEqualTo("done");
    }

    @Test
    void eventsFollowTheSagaThroughCompensation() {
        List<String> trace = new CopyOnWriteArrayList<>();
        SagaDefinition definition = SagaDefinition.builder("evented").step(traced(trace, "a", false)).step(traced(trace, "b", true)).build();

        StepVerifier.create(executor.events().filter(e -> e.correlationId().equals("evt-1")).map(SagaEvent::type).take(6))
                .then(() -> executor.run(definition, Map.of(), "evt-1").subscribe())
                .expectNext(SagaEvent.Type.STARTED, SagaEvent.Type.STEP_COMPLETED, SagaEvent.Type.STEP_FAILED,
                        SagaEvent.Type.COMPENSATING, SagaEvent.Type.STEP_COMPENSATED, SagaEvent.Type.ROLLED_BACK)
                .verifyComplete();
    }

    /**
     * A purge deletes finished sagas older than asked, with their steps, at most the limit per call; it keeps running
     * and recent sagas, the manual-intervention queue, and sagas whose outbox rows are not all delivered.
     */
    @Test
    void aPurgeDeletesOldFinishedSagasWithTheirStepsAndKeepsTheRest() {
        SagaLog log = SagaLog.create(fx.pool, new SagaLogConfig("purge_log", ""));
        log.migrate().block(WAIT);
        SagaDefinition definition = SagaDefinition.builder("purged").step(SagaStep.of("a", ctx -> Mono.just(1)).noCompensation())
                .step(SagaStep.of("b", ctx -> Mono.just(2)).noCompensation()).build();
        List<UUID> old = new ArrayList<>();
        try (SagaExecutor purged = SagaExecutor.builder(log).ownerId("purge").build()) {
            for (int i = 0; i < 5; i++) {
                old.add(purged.run(definition, Map.of()).block(WAIT).sagaId());
            }
            UUID recent = purged.run(definition, Map.of()).block(WAIT).sagaId();
            UUID pending = old.get(3);
            UUID queued = old.get(4);
            PostgresServer.execute(fx.db, "UPDATE purge_log.saga SET finished_at = now() - interval '2 days' WHERE saga_id <> '" + recent + "'; "
                    + "UPDATE purge_log.saga SET state = 'COMPENSATION_FAILED' WHERE saga_id = '" + queued + "'; "
                    + "INSERT INTO purge_log.saga_outbox (saga_id, step_id, bucket, key, value, message_id) "
                    + "VALUES ('" + pending + "', 'a', 'b', 'k', 'v'::bytea, 'm-" + pending + "')");

            assertThat(log.purge(Duration.ofDays(1), 2).block(WAIT)).isEqualTo(2L);
            assertThat(log.purge(Duration.ofDays(1), 2).block(WAIT)).isEqualTo(1L);
            assertThat(log.purge(Duration.ofDays(1), 2).block(WAIT)).isZero();

            assertThat(fx.query("SELECT string_agg(saga_id::text, ',' ORDER BY saga_id) FROM purge_log.saga"))
                    .isEqualTo(java.util.stream.Stream.of(recent, pending, queued).map(UUID::toString).sorted().collect(java.util.stream.Collectors.joining(",")));
            assertThat(fx.query("SELECT count(*) FROM purge_log.saga_step WHERE saga_id NOT IN (SELECT saga_id FROM purge_log.saga)")).isEqualTo("0");
            assertThat(fx.query("SELECT count(*) FROM purge_log.saga_step")).isEqualTo("6");
        }
        assertThatThrownBy(() -> log.purge(Duration.ofDays(-1), 10)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("olderThan");
        assertThatThrownBy(() -> log.purge(Duration.ofDays(1), 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit");
    }

    @Test
    void theLogLivesInTheConfiguredSchemaWithTheTablePrefix() {
        SagaLog custom = SagaLog.create(fx.pool, new SagaLogConfig("custom_log", "app_"));
        custom.migrate().block(WAIT);
        custom.migrate().block(WAIT);
        try (SagaExecutor other = SagaExecutor.builder(custom).ownerId("custom").build()) {
            SagaResult result = other.run(SagaDefinition.builder("custom").step(SagaStep.of("a", ctx -> Mono.just(1)).noCompensation())
                    .build(), Map.of("k", 1)).block(WAIT);
            assertThat(fx.query("SELECT input->>'k' FROM custom_log.app_saga WHERE saga_id = '" + result.sagaId() + "'")).isEqualTo("1");
            assertThat(fx.query("SELECT string_agg(version::text, ',' ORDER BY version) FROM custom_log.app_saga_schema_version"))
                    .isEqualTo("1,2,3,4,5");
            assertThat(fx.query("SELECT count(*) FROM pg_indexes WHERE schemaname = 'custom_log' AND indexname IN "
                    + "('app_saga_finished_idx', 'app_saga_outbox_saga_idx', 'app_saga_prepared_saga_idx')")).as("V5's indexes, prefixed").isEqualTo("3");
            assertThat(fx.query("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'custom_log' "
                    + "AND table_name IN ('app_saga_prepared', 'app_saga_outbox')")).isEqualTo("2");
            assertThat(fx.query("SELECT count(*) FROM pg_constraint WHERE conrelid = 'custom_log.app_saga_step'::regclass AND contype = 'f'"))
                    .as("the step table keeps no foreign key (its writes are fenced on the saga row)").isEqualTo("0");
        }
    }
}
