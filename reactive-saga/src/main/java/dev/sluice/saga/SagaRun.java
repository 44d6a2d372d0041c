package dev.sluice.saga;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.saga.internal.LogWriter;
import dev.sluice.saga.internal.PreparedState;
import dev.sluice.saga.internal.PreparedTransaction;
import dev.sluice.saga.internal.SagaState;
import dev.sluice.saga.internal.SqlEffect;
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
    /** Set when the last step's own transaction recorded the saga as completed, so the end has nothing to log. */
    private volatile boolean completedInLog;

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

    /**
     * Runs from the saga's logged state ({@code RUNNING} or {@code COMPENSATING}) to a terminal state. A failure
     * before the decision to commit compensates; a failure after it (a log or server error while committing) fails
     * the run, leaving the saga to recovery, which commits it.
     */
    Mono<SagaResult> resume(SagaState state, String reason) {
        if (state == SagaState.COMPENSATING) {
            return compensate(reason == null ? "resumed while compensating" : reason);
        }
        if (definition.coordination() == Coordination.EVENTUAL) {
            return new OutboxTransaction(executor, definition, context, positions).run()
                    .onErrorResume(SagaRun::compensable, error -> compensate(reason(error)));
        }
        Mono<Void> work = definition.coordination() == Coordination.TWO_PHASE
                ? prepareSql().thenMany(Flux.fromIterable(stagesWithoutSql())).concatMap(this::stage).then(check())
                : Flux.fromIterable(definition.stages()).concatMap(this::stage).then(check());
        return work.thenReturn(Optional.<String>empty())
                .onErrorResume(SagaRun::compensable, error -> Mono.just(Optional.of(reason(error))))
                .flatMap(failure -> failure.isPresent() ? compensate(failure.get())
                        : commitPrepared().then(Mono.defer(() -> finish(SagaOutcome.COMPLETED, null, List.of()))));
    }

    private PreparedTransaction prepared() {
        return new PreparedTransaction(log.pool(), executor.log().preparedGidPrefix(), context.sagaId());
    }

    private static boolean isSql(SagaStep step) {
        return step.effect() instanceof SqlEffect;
    }

    private List<List<SagaStep>> stagesWithoutSql() {
        return definition.stages().stream().map(group -> group.stream().filter(step -> !isSql(step)).toList())
                .filter(group -> !group.isEmpty()).toList();
    }

    /**
     * Two-phase, first part: unless the log says the SQL steps are prepared (then their logged results are taken),
     * ends any transaction an earlier attempt left prepared but unlogged, records the global id, runs the SQL steps
     * in one transaction, prepares it and logs it as prepared with the steps' results.
     */
    private Mono<Void> prepareSql() {
        PreparedTransaction tx = prepared();
        return log.prepared().state(tx.gid()).flatMap(state -> switch (state) {
            case PREPARED, COMMITTING, COMMITTED -> log.steps().all(context.sagaId())
                    .filter(row -> definition.step(row.stepId()).map(SagaRun::isSql).orElse(false))
                    .doOnNext(row -> context.record(row.stepId(), row.result()))
                    .then();
            case NONE, PREPARING -> tx.rollback()
                    .then(log.prepared().preparing(context.sagaId(), executor.ownerId(), tx.gid()))
                    .then(Mono.defer(() -> {
                        List<SagaStep> sql = definition.steps().stream().filter(SagaRun::isSql).toList();
                        SqlEffect first = (SqlEffect) sql.get(0).effect();
                        List<PreparedTransaction.Statement> statements = sql.stream().map(step -> new PreparedTransaction.Statement(
                                step.id(), positions.get(step.id()), (SqlEffect) step.effect())).toList();
                        return tx.prepare(first.pool(), first.options(), context, statements, context::record);
                    }))
                    .flatMap(rows -> log.prepared(context.sagaId(), executor.ownerId(), tx.gid(), rows)
                            .then(Mono.fromRunnable(() -> rows.forEach(row ->
                                    executor.emit(SagaEvent.Type.STEP_COMPLETED, context, row.stepId(), "prepared " + tx.gid())))));
            case ROLLED_BACK -> Mono.error(new IllegalStateException("saga " + context.sagaId() + " is running but its prepared transaction "
                    + tx.gid() + " is logged as " + state));
        }).then();
    }

    /** Two-phase, last part: logs the decision, then ends the prepared transaction with {@code COMMIT PREPARED}. */
    private Mono<Void> commitPrepared() {
        if (definition.coordination() != Coordination.TWO_PHASE) {
            return Mono.empty();
        }
        PreparedTransaction tx = prepared();
        return log.prepared().moveTo(context.sagaId(), executor.ownerId(), tx.gid(), PreparedState.COMMITTING)
                .then(tx.commit())
                .then(log.prepared().moveTo(context.sagaId(), executor.ownerId(), tx.gid(), PreparedState.COMMITTED));
    }

    /**
     * Two-phase, on failure: ends the prepared transaction with {@code ROLLBACK PREPARED} (unless the decision to
     * commit was logged) and logs the SQL steps as compensated, since their effects are gone.
     */
    private Mono<Void> rollbackPrepared() {
        PreparedTransaction tx = prepared();
        return log.prepared().state(tx.gid()).flatMap(state -> switch (state) {
            case PREPARING, PREPARED -> tx.rollback()
                    .then(log.prepared().moveTo(context.sagaId(), executor.ownerId(), tx.gid(), PreparedState.ROLLED_BACK))
                    .thenMany(Flux.fromIterable(definition.steps()).filter(SagaRun::isSql)
                            .concatMap(step -> log.steps().rolledBack(context.sagaId(), executor.ownerId(), step.id())))
                    .then(Mono.fromRunnable(() -> executor.emit(SagaEvent.Type.STEP_COMPENSATED, context, null,
                            "rolled back prepared " + tx.gid())));
            case NONE, ROLLED_BACK -> Mono.<Void>empty();
            case COMMITTING, COMMITTED -> Mono.<Void>error(new IllegalStateException("prepared transaction " + tx.gid() + " is logged as " + state
                    + "; it is committed, not rolled back"));
        });
    }

    private static boolean compensable(Throwable error) {
        return !(error instanceof SagaLeaseLostException);
    }

    /**
     * One stage: a step, or a parallel group. Before a group, the saga's deferred log records are written, so the
     * group's steps (whose log writes race each other) never carry the saga's own record.
     */
    private Mono<Void> stage(List<SagaStep> group) {
        if (group.size() == 1) {
            return step(group.get(0));
        }
        return log.deferred().flush(context.sagaId()).then(Mono.whenDelayError(group.stream().map(this::step).toList()));
    }

    private Mono<Void> step(SagaStep step) {
        StepRecord row = logged.get(step.id());
        if (row != null && row.state() == dev.sluice.saga.internal.StepState.COMPLETED) {
            context.record(step.id(), row.result());
            return Mono.empty();
        }
        StepCall call = new StepCall(context, step.id(), positions.get(step.id()), executor.ownerId(), log, row,
                endsTheSaga(step) ? () -> completedInLog = true : null);
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
     * no consistency check, and no prepared transaction to commit. Then a step that records its completion in a
     * transaction of its own records the saga's end there too.
     */
    private boolean endsTheSaga(SagaStep step) {
        List<List<SagaStep>> stages = definition.stages();
        List<SagaStep> last = stages.get(stages.size() - 1);
        return definition.coordination() == Coordination.SAGA && definition.consistencyCheck().isEmpty()
                && last.size() == 1 && last.get(0) == step;
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
        return log.sagas().compensating(context.sagaId(), executor.ownerId(), reason)
                .then(Mono.fromRunnable(() -> executor.emit(SagaEvent.Type.COMPENSATING, context, null, reason)))
                .then(log.steps().all(context.sagaId()).collectMap(StepRecord::stepId))
                .flatMap(rows -> Flux.fromIterable(reversed)
                        .filter(step -> definition.coordination() != Coordination.TWO_PHASE || !isSql(step))
                        .concatMap(step -> compensateStep(step, rows.get(step.id()))
                                .onErrorResume(SagaRun::compensable, error -> {
                                    errors.add(step.id() + ": " + StepFailedException.describe(error));
                                    return Mono.empty();
                                }))
                        .then(definition.coordination() != Coordination.TWO_PHASE ? Mono.empty() : rollbackPrepared()
                                .onErrorResume(SagaRun::compensable, error -> {
                                    errors.add("prepared transaction: " + StepFailedException.describe(error));
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
