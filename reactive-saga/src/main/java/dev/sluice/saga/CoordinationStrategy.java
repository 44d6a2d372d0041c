package dev.sluice.saga;

import reactor.core.publisher.Mono;

import java.util.List;

/**
 * What a {@link Coordination} does in a saga's run ({@link SagaRun}): one implementation per strategy, chosen by
 * {@link #of}. The run calls {@link #forward} (a failure there compensates), then, once it decided to commit,
 * {@link #commit} (a failure there is left to recovery, which commits), then logs the end; on a failure it
 * compensates the steps {@link #compensates} accepts in reverse order, then calls {@link #undo}.
 */
interface CoordinationStrategy {

    /** The strategy of {@code coordination}. */
    static CoordinationStrategy of(Coordination coordination) {
        return switch (coordination) {
            case SAGA -> SagaStrategy.INSTANCE;
            case TWO_PHASE -> TwoPhaseStrategy.INSTANCE;
            case EVENTUAL -> EventualStrategy.INSTANCE;
        };
    }

    /** Everything up to the decision to commit: the steps and the consistency check. */
    Mono<Void> forward(SagaRun run);

    /** After the decision to commit, what makes it final before the saga's end is logged. */
    default Mono<Void> commit(SagaRun run) {
        return Mono.empty();
    }

    /** Whether {@code step} is undone by its own compensation when the saga compensates. */
    default boolean compensates(SagaStep step) {
        return true;
    }

    /**
     * After the steps' compensations, undoes what the strategy holds itself; what it cannot undo is added to
     * {@code errors} (the saga then ends {@code COMPENSATION_FAILED}).
     */
    default Mono<Void> undo(SagaRun run, List<String> errors) {
        return Mono.empty();
    }

    /**
     * Whether the last step's own transaction may also record the saga's end, when nothing comes between the two
     * (no consistency check, the step alone in the last stage).
     */
    default boolean stepMayEndSaga() {
        return false;
    }
}
