package dev.sluice.saga.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.pool.Tx;
import dev.sluice.saga.SagaContext;
import reactor.core.publisher.Mono;

import java.util.UUID;

/**
 * One step of one saga run as its effect sees it (internal): the context, what the log already holds for the step,
 * and the log writes the effect must make before and after its effect.
 */
public final class StepCall {

    private final SagaContext context;
    private final String stepId;
    private final int position;
    private final String owner;
    private final LogWriter log;
    private volatile StepRecord logged;
    private final Runnable finishedWithStep;
    private volatile StepTable.Recorded recorded;

    /**
     * @param context  the saga
     * @param stepId   the step
     * @param position its place in the definition
     * @param owner    this instance's owner id (fences every write)
     * @param log      the log
     * @param logged   the step's row in the log when it has one (resumed or retried), else null
     * @param finishedWithStep null, or (for the saga's last step, when nothing comes between it and the saga's end) what
     *                 to call when the step's own transaction also recorded the saga as completed
     */
    public StepCall(SagaContext context, String stepId, int position, String owner, LogWriter log, StepRecord logged,
                    Runnable finishedWithStep) {
        this.context = context;
        this.stepId = stepId;
        this.position = position;
        this.owner = owner;
        this.log = log;
        this.logged = logged;
        this.finishedWithStep = finishedWithStep;
    }

    /** The saga's context. */
    public SagaContext context() {
        return context;
    }

    /** The step's id. */
    public String stepId() {
        return stepId;
    }

    /** The saga's id. */
    public UUID sagaId() {
        return context.sagaId();
    }

    /** The log. */
    public LogWriter log() {
        return log;
    }

    /** The step's row as this run last knew it, null when it was never logged. */
    public StepRecord logged() {
        return logged;
    }

    /** Logs the step as started with {@code preImage}, before the effect. */
    public Mono<Void> started(JsonNode preImage) {
        return log.steps().started(sagaId(), owner, stepId, position, preImage)
                .then(Mono.fromRunnable(() -> logged = new StepRecord(stepId, position, StepState.STARTED, preImage, null, null)));
    }

    /** Logs the step's result after the effect. */
    public Mono<Void> completed(JsonNode result) {
        return log.steps().completed(sagaId(), owner, stepId, result).then(Mono.fromRunnable(() -> markCompleted(result)));
    }

    /**
     * In the effect's own transaction, after the effect: records the step as completed with {@code result} (with the
     * saga's deferred records, and for a last step the saga's end) unless the log holds it as done already; emits
     * whether it did (see {@link StepTable#recordedIn}). Once the transaction commits, call
     * {@link #markCompleted}.
     */
    public Mono<Boolean> recordedIn(Tx tx, JsonNode result) {
        recorded = null;
        return log.steps().recordedIn(tx, sagaId(), owner, stepId, position, result, finishedWithStep != null)
                .doOnNext(written -> recorded = written)
                .hasElement();
    }

    /** Writes the saga's deferred log records now, before a transaction of the step's own, unless it can carry them. */
    public Mono<Void> flush() {
        return log.deferred().flushUnlessCarried(sagaId());
    }

    /** The owner id this run writes as. */
    public String owner() {
        return owner;
    }

    /** Notes a completion recorded in the effect's transaction, after it committed. */
    public void markCompleted(JsonNode result) {
        StepTable.Recorded written = recorded;
        if (written != null) {
            recorded = null;
            log.deferred().committed(sagaId(), written.deferred());
            if (written.finished()) {
                finishedWithStep.run();
            }
        }
        StepRecord previous = logged;
        logged = new StepRecord(stepId, position, StepState.COMPLETED, previous == null ? null : previous.preImage(), result, null);
    }

    /** Logs the step as being compensated, before the compensation's effect. */
    public Mono<Void> compensating(JsonNode result) {
        return log.steps().compensating(sagaId(), owner, stepId, result);
    }

    /** Logs the step as compensated, after the compensation's effect. */
    public Mono<Void> compensated() {
        return log.steps().compensated(sagaId(), owner, stepId);
    }

    /** Logs the step as compensated in the compensation's own transaction. */
    public Mono<Void> compensatedIn(Tx tx) {
        return log.steps().compensatedIn(tx, sagaId(), owner, stepId);
    }

    /** Reads the step's row again from the log. */
    public Mono<StepRecord> reload() {
        return log.steps().read(sagaId(), stepId).doOnNext(row -> logged = row);
    }
}
