package dev.sluice.pool;

import reactor.core.publisher.Mono;

/**
 * Something that starts and stops: pools, the registry, KV stores, the saga module's recovery and outbox loops, the
 * health monitor and its HTTP endpoint all follow the same contract.
 *
 * <ul>
 *   <li>{@link #start()} is cold and idempotent: the first subscription starts the thing, and every subscription
 *       completes once it is running (or fails with the reason it could not start). A stopped thing does not start
 *       again: {@code start()} then fails with {@link IllegalStateException}.</li>
 *   <li>{@link #stop()} is cold and idempotent: the first subscription begins the stop, and every subscription
 *       completes when it is over. Stopping something never started just marks it stopped.</li>
 *   <li>{@link #close()} is {@code stop()} for blocking callers (try-with-resources): it returns when the stop is
 *       over.</li>
 * </ul>
 *
 * Cancelling a subscription to either does not undo what was begun. The names are {@code stop()} and {@code close()},
 * not a {@code Mono}-returning {@code close()}, because {@link AutoCloseable#close()} returns nothing.
 */
public interface Lifecycle extends AutoCloseable {

    /** Starts; see the class description. Cold. */
    Mono<Void> start();

    /** Stops; see the class description. Cold. */
    Mono<Void> stop();

    /** Stops and waits until stopped. */
    @Override
    default void close() {
        stop().block();
    }
}
