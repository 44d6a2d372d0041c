package dev.sluice.saga;

import reactor.core.publisher.Mono;

/**
 * Runs after the last step of a saga and before it is recorded as completed, and may veto: return an empty
 * {@code Mono} to allow the commit, or a reason to veto it. A veto (or an error from the check) compensates every
 * step, and the saga ends {@link SagaOutcome#ROLLED_BACK} with the reason.
 */
@FunctionalInterface
public interface ConsistencyCheck {

    /** @param context the saga with every step's recorded result */
    Mono<String> veto(SagaContext context);
}
