package dev.sluice.saga.internal;

import com.fasterxml.jackson.databind.JsonNode;
import reactor.core.publisher.Mono;

import java.util.Optional;

/**
 * How one kind of step does, checks and undoes its effect against the log (internal). Every method returns a cold
 * {@code Mono}; the executor applies timeouts and retries around them, so each must be safe to subscribe again.
 */
public interface StepEffect {

    /**
     * Logs the step as started, performs the effect once, and logs its result. When the step was logged before
     * (a retry or a resumed saga), first finds out whether the earlier attempt's effect happened, and if it did,
     * records that result instead of acting again.
     *
     * @return the recorded result
     */
    Mono<JsonNode> run(StepCall call);

    /**
     * For a step logged as started but not completed: whether its effect happened, judged from the log and the
     * stores. Emits the result when it did, empty when it did not.
     */
    Mono<Optional<JsonNode>> reconcile(StepCall call);

    /** Logs the compensation as started, undoes the effect recorded as {@code result}, and logs it as compensated. */
    Mono<Void> compensate(StepCall call, JsonNode result);

    /** Whether the step has anything to undo. */
    boolean compensable();
}
