package dev.sluice.saga;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.saga.internal.LogWriter;
import dev.sluice.saga.internal.SagaState;
import dev.sluice.saga.internal.StepCall;
import dev.sluice.saga.internal.StepRecord;
import dev.sluice.saga.internal.StepRetry;
import dev.sluice.saga.internal.StepState;
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
 * step whose effect happened, in reverse definition order. A fresh saga is a resumed saga with an empty log. What
 * differs between coordinations is its {@link CoordinationStrategy}'s.
 */
final class SagaRun {

    private final SagaExecutor executor;
    private final LogWriter log;
    private final SagaDefinition definition;
    private final CoordinationStrategy strategy;
    private final SagaContext context;
    private final Map<String, StepRecord> logged;
    private final Map<String, Integer> positions = new HashMap<>();
    /**
     * Set when the saga's completion is logged already (by the last step's own transaction, or by the strategy's), so
     * the end has nothing to log.
     */
    private volatile boolean completedInLog;

    SagaRun(SagaExecutor executor, SagaDefinition definition, SagaContext context, Map<String, StepRecord> logged) {
        this.executor = executor;
        this.log = executor.log().writer();
        this.definition = definition;
        this.strategy = CoordinationStrategy.of(definition.coordination());
        this.context = context;
        this.logged = logged;
        List<SagaStep> steps = definition.steps();
        for (int i = 0; i < steps.size(); i++) {
            positions.put(steps.get(i).id(), i);
        }
    }

    /**
     * Runs from the saga's logged state ({@code RUNNING} or {@code COMPENSATING}) to a terminal state. A failure
     * before the decision to commit compensates; a failure after it (a log or server error while committing) fails
     * the run, leaving the saga to recovery, which commits it.
     */
    Mono<SagaResult> resume(SagaState state, String reason) {
        if (state == SagaState.COMPENSATING) {
            return compensate(reason == null ? "resumed while compensating" : reason);
        }
        return strategy.forward(this).thenReturn(Optional.<String>empty())
                .onErrorResume(SagaRun::compensable, error -> Mono.just(Optional.of(reason(error))))
                .flatMap(failure -> failure.isPresent() ? compensate(failure.get())
                        : strategy.commit(this).then(Mono.defer(() -> finish(SagaOutcome.COMPLETED, null, List.of()))));
    }

    SagaExecutor executor() {
        return executor;
    }

    SagaDefinition definition() {
        return definition;
    }

    SagaContext context() {
        return context;
    }

    LogWriter log() {
        return log;
    }

    /** A step's place in the definition (flattened order). */
    int position(String stepId) {
        return positions.get(stepId);
    }

    /** Notes that the saga's end is logged already (with its last step, or in the strategy's transaction). */
    void endLogged() {
        completedInLog = true;
    }

    /** Whether a failure leads to compensation here: not a lost lease (the new owner finishes the saga). */
    static boolean compensable(Throwable error) {
        return !(error instanceof SagaLeaseLostException);
    }

    /**
     * One stage: a step, or a parallel group. Before a group, the saga's deferred log records are written, so the
     * group's steps (whose log writes race each other) never carry the saga's own record.
     */
    Mono<Void> stage(List<SagaStep> group) {
        if (group.size() == 1) {
            return step(group.get(0));
        }
        return log.deferred().flush(context.sagaId()).then(Mono.whenDelayError(group.stream().map(this::step).toList()));
    }

    private Mono<Void> step(SagaStep step) {
        StepRecord row = logged.get(step.id());
        if (row != null && row.state() == StepState.COMPLETED) {
            context.record(step.id(), row.result());
            return Mono.empty();
        }
        StepCall call = new StepCall(context, step.id(), positions.get(step.id()), executor.ownerId(), log, row,
                endsTheSaga(step) ? this::endLogged : null);
        return StepRetry.apply(Mono.defer(() -> step.effect().run(call)), step.timeout(), step.retry())
                .doOnNext(result -> {
                    context.record(step.id(), result);
                    executor.emit(SagaEvent.Type.STEP_COMPLETED, context, step.id(), "");
                })
                .onErrorResume(SagaRun::compensable, error -> log.steps().failed(context.sagaId(), executor.ownerId(), step.id(),
                                StepFailedException.describe(error))
                        .onErrorResume(SagaRun::compensable, ignored -> Mono.empty())
                        .then(Mono.fromRunnable(() -> executor.emit(SagaEvent.Type.STEP_FAILED, context, step.id(),
                                StepFailedException.describe(error))))
                        .then(Mono.error(new StepFailedException(step.id(), error))))
                .then();
    }

    /**
     * Whether nothing comes between {@code step}'s success and the saga's end: it is alone in the last stage, there is
     * no consistency check, and the strategy has nothing to do in between. Then a step that records its completion in
     * a transaction of its own records the saga's end there too.
     */
    private boolean endsTheSaga(SagaStep step) {
        List<List<SagaStep>> stages = definition.stages();
        List<SagaStep> last = stages.get(stages.size() - 1);
        return strategy.stepMayEndSaga() && definition.consistencyCheck().isEmpty()
                && last.size() == 1 && last.get(0) == step;
    }

    /** The consistency check: fails with {@link SagaVetoException} when it vetoes. */
    Mono<Void> check() {
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
        return log.sagas().compensating(context.sagaId(), executor.ownerId(), reason)
                .then(Mono.fromRunnable(() -> executor.emit(SagaEvent.Type.COMPENSATING, context, null, reason)))
                .then(log.steps().all(context.sagaId()).collectMap(StepRecord::stepId))
                .flatMap(rows -> Flux.fromIterable(reversed)
                        .filter(strategy::compensates)
                        .concatMap(step -> compensateStep(step, rows.get(step.id()))
                                .onErrorResume(SagaRun::compensable, error -> {
                                    errors.add(step.id() + ": " + StepFailedException.describe(error));
                                    return Mono.empty();
                                }))
                        .then(strategy.undo(this, errors))
                        .then(Mono.defer(() -> errors.isEmpty()
                                ? finish(SagaOutcome.ROLLED_BACK, reason, List.of())
                                : finish(SagaOutcome.COMPENSATION_FAILED, reason, List.copyOf(errors)))));
    }

    private Mono<Void> compensateStep(SagaStep step, StepRecord row) {
        if (row == null || row.state() == StepState.COMPENSATED || !step.compensable()) {
            return Mono.empty();
        }
        StepCall call = new StepCall(context, step.id(), positions.get(step.id()), executor.ownerId(), log, row, null);
        Mono<Optional<JsonNode>> applied = row.state().needsCompensation()
                ? Mono.just(Optional.ofNullable(row.result()))
                : step.effect().reconcile(call);
        return applied.flatMap(result -> result.isEmpty() ? Mono.empty()
                : StepRetry.apply(Mono.defer(() -> step.effect().compensate(call, result.get())), step.compensationTimeout(),
                                step.compensationRetry())
                        .then(Mono.fromRunnable(() -> executor.emit(SagaEvent.Type.STEP_COMPENSATED, context, step.id(), "")))
                        .onErrorResume(SagaRun::compensable, error -> log.steps().compensationFailed(context.sagaId(), executor.ownerId(),
                                        step.id(), StepFailedException.describe(error))
                                .then(Mono.fromRunnable(() -> executor.emit(SagaEvent.Type.COMPENSATION_STEP_FAILED, context, step.id(),
                                        StepFailedException.describe(error))))
                                .then(Mono.error(error))))
                .then();
    }

    private Mono<SagaResult> finish(SagaOutcome outcome, String reason, List<String> errors) {
        Mono<Void> logged = outcome == SagaOutcome.COMPLETED && completedInLog ? Mono.empty()
                : log.sagaFinished(context.sagaId(), executor.ownerId(), SagaState.of(outcome), reason, errors);
        return logged
                .then(Mono.fromCallable(() -> finished(executor, definition, context, outcome, reason, errors)));
    }

    /** Emits the terminal event and builds the result of a saga whose terminal state is logged. */
    static SagaResult finished(SagaExecutor executor, SagaDefinition definition, SagaContext context, SagaOutcome outcome,
                               String reason, List<String> errors) {
        SagaEvent.Type type = switch (outcome) {
            case COMPLETED -> SagaEvent.Type.COMPLETED;
            case ROLLED_BACK -> SagaEvent.Type.ROLLED_BACK;
            case COMPENSATION_FAILED -> SagaEvent.Type.COMPENSATION_FAILED;
        };
        executor.emit(type, context, null, reason == null ? "" : reason);
        return new SagaResult(context.sagaId(), context.correlationId(), definition.name(), outcome,
                Optional.ofNullable(reason), errors, context.results());
    }
}
