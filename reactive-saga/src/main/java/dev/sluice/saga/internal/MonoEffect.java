package dev.sluice.saga.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.saga.SagaContext;
import reactor.core.publisher.Mono;

import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A user step: any {@code Mono} as the action, any {@code Mono} as the compensation (internal). The log is written
 * before and after each; the action cannot be checked from outside, so a step logged as started is run again (at
 * least once), and only a step recorded as completed is compensated.
 */
public final class MonoEffect implements StepEffect {

    private final Function<SagaContext, ? extends Mono<?>> action;
    private final BiFunction<SagaContext, JsonNode, ? extends Mono<?>> compensation;

    /**
     * @param action       the action; its value (or null when empty) is recorded as JSON
     * @param compensation the compensation given the recorded result, or null when there is nothing to undo
     */
    public MonoEffect(Function<SagaContext, ? extends Mono<?>> action, BiFunction<SagaContext, JsonNode, ? extends Mono<?>> compensation) {
        this.action = action;
        this.compensation = compensation;
    }

    /** This action with another compensation. */
    public MonoEffect withCompensation(BiFunction<SagaContext, JsonNode, ? extends Mono<?>> compensation) {
        return new MonoEffect(action, compensation);
    }

    @Override
    public Mono<JsonNode> run(StepCall call) {
        return call.started(null)
                .then(Mono.defer(() -> action.apply(call.context())).map(Json::tree).defaultIfEmpty(Json.tree(null)))
                .flatMap(result -> call.completed(result).thenReturn(result));
    }

    @Override
    public Mono<Optional<JsonNode>> reconcile(StepCall call) {
        return Mono.just(Optional.empty());
    }

    @Override
    public Mono<Void> compensate(StepCall call, JsonNode result) {
        if (compensation == null) {
            return Mono.empty();
        }
        return call.compensating(result)
                .then(Mono.defer(() -> compensation.apply(call.context(), result)).then())
                .then(call.compensated());
    }

    @Override
    public boolean compensable() {
        return compensation != null;
    }
}
