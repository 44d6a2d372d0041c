package dev.sluice.saga;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.saga.internal.LogWriter;
import dev.sluice.saga.internal.StepCall;
import dev.sluice.saga.internal.StepRecord;
import dev.sluice.saga.internal.StepRetry;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * Drives one saga from what its log holds to a terminal state: forward through the stages (skipping steps recorded
 * as completed), then the consistency check and the completed record; on a failure, the compensations of every
 * step whose effect happened, in reverse definition order. A fresh saga is a resumed saga with an empty log.
 */
final class SagaRun {

    private final SagaExecutor executor;
    private final LogWriter log;
    private final SagaDefinition definition;
    private final SagaContext context;
    private final Map<String, StepRecord> logged;
    private final Map<String, Integer> positions = new HashMap<>();

    SagaRun(SagaExecutor executor, SagaDefinition definition, SagaContext context, Map<String, StepRecord> logged) {
        this.executor = executor;
        this.log = executor.log().writer();
        this.definition = definition;
        this.context = context;
        this.logged = logged;
        List<SagaStep> steps = definition.steps();
        for (int i = 0; i < steps.size(); i++) {
            positions.put(steps.get(i).id(), i);
        }
    }

    /** Runs from the saga's logged state ({@code RUNNING} or {@code COMPENSATING}) to a terminal state. */
    Mono<SagaResult> resume(String state, String reason) {
        if ("COMPENSATING".equals(state)) {
            return compensate(reason == null ? "resumed while compensating" : reason);
        }
        return Flux.fromIterable(definition.stages())
                .concatMap(this::stage)
                .then(check())
                .then(Mono.defer(() -> finish(SagaOutcome.COMPLETED, null, List.of())))
                .onErrorResume(SagaRun::compensable, error -> compensate(reason(error)));
    }

    private static boolean compensable(Throwable error) {
        return !(error instanceof SagaLeaseLostException);
    }

    private Mono<Void> stage(List<SagaStep> group) {
        if (group.size() == 1) {
            return step(group.get(0));
        }
        return Mono.whenDelayError(group.stream().map(this::step).toList());
    }

    private Mono<Void> step(SagaStep step) {
        StepRecord row = logged.get(step.id());
        if (row != null && row.state() == dev.sluice.saga.internal.StepState.COMPLETED) {
            context.record(step.id(), row.result());
            return Mono.empty();
        }
        StepCall call = new StepCall(context, step.id(), positions.get(step.id()), executor.ownerId(), log, row);
        return StepRetry.apply(Mono.defer(() -> step.effect().run(call)), step.timeout(), step.retry())
                .doOnNext(result -> {
                    context.record(step.id(), result);
                    executor.emit(SagaEvent.Type.STEP_COMPLETED, context, step.id(), "");
                })
                .onErrorResume(SagaRun::compensable, error -> log.stepFailed(context.sagaId(), executor.ownerId(), step.id(),
                                StepFailedException.describe(error))
                        .onErrorResume(SagaRun::compensable, ignored -> Mono.empty())
                        .then(Mono.fromRunnable(() -> executor.emit(SagaEvent.Type.STEP_FAILED, context, step.id(),
                                StepFailedException.describe(error))))
                        .then(Mono.error(new StepFailedException(step.id(), error))))
                .then();
    }

    private Mono<Void> check() {
        return definition.consistencyCheck()
                .map(check -> Mono.defer(() -> check.veto(context)).flatMap(reason -> Mono.<Void>error(new SagaVetoException(reason))))
                .orElse(Mono.empty());
    }

    private static String reason(Throwable error) {
        List<Throwable> errors = Exceptions.unwrapMultiple(error);
        return errors.stream().map(e -> e instanceof StepFailedException || e instanceof SagaVetoException
                        ? e.getMessage() : "saga failed: " + StepFailedException.describe(e))
                .collect(Collectors.joining("; "));
    }

    private Mono<SagaResult> compensate(String reason) {
        List<String> errors = new CopyOnWriteArrayList<>();
        List<SagaStep> reversed = new ArrayList<>(definition.steps());
        Collections.reverse(reversed);
        return log.sagaCompensating(context.sagaId(), executor.ownerId(), reason)
                .then(Mono.fromRunnable(() -> executor.emit(SagaEvent.Type.COMPENSATING, context, null, reason)))
                .then(log.steps(context.sagaId()).collectMap(StepRecord::stepId))
                .flatMap(rows -> Flux.fromIterable(reversed)
                        .concatMap(step -> compensateStep(step, rows.get(step.id()))
                                .onErrorResume(SagaRun::compensable, error -> {
                                    errors.add(step.id() + ": " + StepFailedException.describe(error));
                                    return Mono.empty();
                                }))
                        .then(Mono.defer(() -> errors.isEmpty()
                                ? finish(SagaOutcome.ROLLED_BACK, reason, List.of())
                                : finish(SagaOutcome.COMPENSATION_FAILED, reason, List.copyOf(errors)))));
    }

    private Mono<Void> compensateStep(SagaStep step, StepRecord row) {
        if (row == null || row.state() == dev.sluice.saga.internal.StepState.COMPENSATED || !step.compensable()) {
            return Mono.empty();
        }
        StepCall call = new StepCall(context, step.id(), positions.get(step.id()), executor.ownerId(), log, row);
        Mono<Optional<JsonNode>> applied = row.state().needsCompensation()
                ? Mono.just(Optional.ofNullable(row.result()))
                : step.effect().reconcile(call);
        return applied.flatMap(result -> result.isEmpty() ? Mono.empty()
                : StepRetry.apply(Mono.defer(() -> step.effect().compensate(call, result.get())), step.compensationTimeout(),
                                step.compensationRetry())
                        .then(Mono.fromRunnable(() -> executor.emit(SagaEvent.Type.STEP_COMPENSATED, context, step.id(), "")))
                        .onErrorResume(SagaRun::compensable, error -> log.stepCompensationFailed(context.sagaId(), executor.ownerId(),
                                        step.id(), StepFailedException.describe(error))
                                .then(Mono.fromRunnable(() -> executor.emit(SagaEvent.Type.COMPENSATION_STEP_FAILED, context, step.id(),
                                        StepFailedException.describe(error))))
                                .then(Mono.error(error))))
                .then();
    }

    private Mono<SagaResult> finish(SagaOutcome outcome, String reason, List<String> errors) {
        return log.sagaFinished(context.sagaId(), executor.ownerId(), outcome.name(), reason, errors)
                .then(Mono.fromCallable(() -> {
                    SagaEvent.Type type = switch (outcome) {
                        case COMPLETED -> SagaEvent.Type.COMPLETED;
                        case ROLLED_BACK -> SagaEvent.Type.ROLLED_BACK;
                        case COMPENSATION_FAILED -> SagaEvent.Type.COMPENSATION_FAILED;
                    };
                    executor.emit(type, context, null, reason == null ? "" : reason);
                    return new SagaResult(context.sagaId(), context.correlationId(), definition.name(), outcome,
                            Optional.ofNullable(reason), errors, context.results());
                }));
    }
}
