package dev.sluice.saga;

import dev.sluice.saga.internal.LogWriter;
import dev.sluice.saga.internal.PreparedState;
import dev.sluice.saga.internal.PreparedTransaction;
import dev.sluice.saga.internal.SqlEffect;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.UUID;

/**
 * {@link Coordination#TWO_PHASE}: the SQL steps in one transaction ended with {@code PREPARE TRANSACTION}, then the
 * other stages and the consistency check; the decision is logged before {@code COMMIT PREPARED}. Compensating skips
 * the SQL steps and ends their transaction with {@code ROLLBACK PREPARED} instead.
 */
final class TwoPhaseStrategy implements CoordinationStrategy {

    static final TwoPhaseStrategy INSTANCE = new TwoPhaseStrategy();

    private TwoPhaseStrategy() {
    }

    private static boolean isSql(SagaStep step) {
        return step.effect() instanceof SqlEffect;
    }

    private static PreparedTransaction prepared(SagaRun run) {
        return new PreparedTransaction(run.log().pool(), run.executor().log().preparedGidPrefix(), run.context().sagaId());
    }

    @Override
    public Mono<Void> forward(SagaRun run) {
        List<List<SagaStep>> withoutSql = run.definition().stages().stream()
                .map(group -> group.stream().filter(step -> !isSql(step)).toList())
                .filter(group -> !group.isEmpty()).toList();
        return prepareSql(run).thenMany(Flux.fromIterable(withoutSql)).concatMap(run::stage).then(run.check());
    }

    /**
     * Unless the log says the SQL steps are prepared (then their logged results are taken), ends any transaction an
     * earlier attempt left prepared but unlogged, records the global id, runs the SQL steps in one transaction,
     * prepares it and logs it as prepared with the steps' results.
     */
    private Mono<Void> prepareSql(SagaRun run) {
        PreparedTransaction tx = prepared(run);
        LogWriter log = run.log();
        SagaDefinition definition = run.definition();
        SagaContext context = run.context();
        UUID sagaId = context.sagaId();
        String owner = run.executor().ownerId();
        return log.prepared().state(tx.gid()).flatMap(state -> switch (state) {
            case PREPARED, COMMITTING, COMMITTED -> log.steps().all(sagaId)
                    .filter(row -> definition.step(row.stepId()).map(TwoPhaseStrategy::isSql).orElse(false))
                    .doOnNext(row -> context.record(row.stepId(), row.result()))
                    .then();
            case NONE, PREPARING -> tx.rollback()
                    .then(log.prepared().preparing(sagaId, owner, tx.gid()))
                    .then(Mono.defer(() -> {
                        List<SagaStep> sql = definition.steps().stream().filter(TwoPhaseStrategy::isSql).toList();
                        SqlEffect first = (SqlEffect) sql.get(0).effect();
                        List<PreparedTransaction.Statement> statements = sql.stream().map(step -> new PreparedTransaction.Statement(
                                step.id(), run.position(step.id()), (SqlEffect) step.effect())).toList();
                        return tx.prepare(first.pool(), first.options(), context, statements, context::record);
                    }))
                    .flatMap(rows -> log.prepared(sagaId, owner, tx.gid(), rows)
                            .then(Mono.fromRunnable(() -> rows.forEach(row ->
                                    run.executor().emit(SagaEvent.Type.STEP_COMPLETED, context, row.stepId(), "prepared " + tx.gid())))));
            case ROLLED_BACK -> Mono.error(new IllegalStateException("saga " + sagaId + " is running but its prepared transaction "
                    + tx.gid() + " is logged as " + state));
        }).then();
    }

    /** Logs the decision, then ends the prepared transaction with {@code COMMIT PREPARED}. */
    @Override
    public Mono<Void> commit(SagaRun run) {
        PreparedTransaction tx = prepared(run);
        UUID sagaId = run.context().sagaId();
        String owner = run.executor().ownerId();
        return run.log().prepared().moveTo(sagaId, owner, tx.gid(), PreparedState.COMMITTING)
                .then(tx.commit())
                .then(run.log().prepared().moveTo(sagaId, owner, tx.gid(), PreparedState.COMMITTED));
    }

    @Override
    public boolean compensates(SagaStep step) {
        return !isSql(step);
    }

    /**
     * Ends the prepared transaction with {@code ROLLBACK PREPARED} (unless the decision to commit was logged) and logs
     * the SQL steps as compensated, since their effects are gone.
     */
    @Override
    public Mono<Void> undo(SagaRun run, List<String> errors) {
        PreparedTransaction tx = prepared(run);
        LogWriter log = run.log();
        SagaContext context = run.context();
        String owner = run.executor().ownerId();
        return log.prepared().state(tx.gid()).flatMap(state -> switch (state) {
                    case PREPARING, PREPARED -> tx.rollback()
                            .then(log.prepared().moveTo(context.sagaId(), owner, tx.gid(), PreparedState.ROLLED_BACK))
                            .thenMany(Flux.fromIterable(run.definition().steps()).filter(TwoPhaseStrategy::isSql)
                                    .concatMap(step -> log.steps().rolledBack(context.sagaId(), owner, step.id())))
                            .then(Mono.fromRunnable(() -> run.executor().emit(SagaEvent.Type.STEP_COMPENSATED, context, null,
                                    "rolled back prepared " + tx.gid())));
                    case NONE, ROLLED_BACK -> Mono.<Void>empty();
                    case COMMITTING, COMMITTED -> Mono.<Void>error(new IllegalStateException("prepared transaction " + tx.gid()
                            + " is logged as " + state + "; it is committed, not rolled back"));
                })
                .onErrorResume(SagaRun::compensable, error -> {
                    errors.add("prepared transaction: " + StepFailedException.describe(error));
                    return Mono.empty();
                });
    }
}
