package dev.sluice.saga;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** {@link Coordination#SAGA}: the stages in order, each step committing on its own, then the consistency check. */
final class SagaStrategy implements CoordinationStrategy {

    static final SagaStrategy INSTANCE = new SagaStrategy();

    private SagaStrategy() {
    }

    @Override
    public Mono<Void> forward(SagaRun run) {
        return Flux.fromIterable(run.definition().stages()).concatMap(run::stage).then(run.check());
    }

    @Override
    public boolean stepMayEndSaga() {
        return true;
    }
}
