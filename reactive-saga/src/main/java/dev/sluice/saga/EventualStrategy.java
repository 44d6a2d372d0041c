package dev.sluice.saga;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.pool.PgPool;
import dev.sluice.pool.TxOptions;
import dev.sluice.saga.internal.Json;
import dev.sluice.saga.internal.KvEffect;
import dev.sluice.saga.internal.LogWriter;
import dev.sluice.saga.internal.SagaState;
import dev.sluice.saga.internal.SqlEffect;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.List;

/**
 * {@link Coordination#EVENTUAL}: one transaction holds the SQL steps, an outbox row per {@code kvPut} or
 * {@code kvDelete} step (a delete's row has no value), each step's completion record, the consistency check and the
 * saga's {@code COMPLETED} record; they commit together or not at all. A crash before the commit leaves the saga
 * {@code RUNNING} with nothing applied; recovery runs the transaction again. The {@link OutboxRelay} writes KV later.
 */
final class EventualStrategy implements CoordinationStrategy {

    static final EventualStrategy INSTANCE = new EventualStrategy();

    private EventualStrategy() {
    }

    /** The outbox message id of a step's write: one per saga and step, so a repeated delivery is stored once. */
    static String messageId(SagaContext context, String stepId) {
        return "sluice-saga:" + context.sagaId() + ":" + stepId + ":outbox";
    }

    @Override
    public Mono<Void> forward(SagaRun run) {
        SagaDefinition definition = run.definition();
        SagaContext context = run.context();
        LogWriter log = run.log();
        PgPool pool = CoordinationRules.sqlPool(definition, run.executor().log().pool());
        TxOptions options = definition.steps().stream().filter(s -> s.effect() instanceof SqlEffect)
                .map(s -> ((SqlEffect) s.effect()).options()).findFirst().orElse(TxOptions.DEFAULT);
        String owner = run.executor().ownerId();
        return log.deferred().flush(context.sagaId()).thenMany(pool.inTransaction(options, tx -> Flux.fromIterable(definition.steps())
                        .concatMap(step -> {
                            Mono<JsonNode> effect;
                            if (step.effect() instanceof SqlEffect sql) {
                                effect = sql.executeIn(tx, context);
                            } else {
                                KvEffect kv = (KvEffect) step.effect();
                                String key = kv.key(context);
                                String messageId = messageId(context, step.id());
                                ObjectNode result = Json.MAPPER.createObjectNode();
                                result.put("bucket", kv.store().bucket());
                                result.put("key", key);
                                result.put("messageId", messageId);
                                byte[] value = kv.kind() == KvEffect.Kind.DELETE ? null : kv.blindValue(context);
                                effect = log.outbox().insertIn(tx, context.sagaId(), step.id(), kv.store().bucket(), key, value, messageId)
                                        .thenReturn(result);
                            }
                            return effect.flatMap(result -> log.steps().doneIn(tx, context.sagaId(), owner, step.id(),
                                            run.position(step.id()), result)
                                    .then(Mono.fromRunnable(() -> context.record(step.id(), result))));
                        })
                        .then(run.check())
                        .then(log.sagaFinishedIn(tx, context.sagaId(), owner, SagaState.COMPLETED, null, List.of()))))
                .then(Mono.fromRunnable(() -> {
                    definition.steps().forEach(step -> run.executor().emit(SagaEvent.Type.STEP_COMPLETED, context, step.id(), ""));
                    run.endLogged();
                }));
    }
}
