package dev.sluice.pool.internal;

import io.r2dbc.spi.Connection;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * An acquire that the caller's cancellation does not reach: a cancel that races with the pool handing over a
 * connection could otherwise lose that connection (the known cancel-versus-emit race of {@code usingWhen} over
 * r2dbc-pool). The acquire runs to its end; a connection that arrives for a caller who has gone is closed at once,
 * which returns it to the pool.
 *
 * <p>Cold: each subscription subscribes to the acquire once (not at all when the subscriber cancelled during
 * {@code onSubscribe}). Emits the connection, or the acquire's error. One object per subscription, instead of the
 * sink, flag, lambda subscriber and discard hook that {@code Mono.create} would need.
 *
 * @param <C> the connection type
 */
public final class DetachedAcquire<C extends Connection> extends Mono<C> {

    private final Mono<C> acquire;

    /** @param acquire the acquire, subscribed to once per subscription and never cancelled */
    public DetachedAcquire(Mono<C> acquire) {
        this.acquire = acquire;
    }

    @Override
    public void subscribe(CoreSubscriber<? super C> actual) {
        Handover<C> handover = new Handover<>(actual);
        actual.onSubscribe(handover);
        if (!handover.isCancelled()) {
            acquire.subscribe(handover);
        }
    }

    /** Closes a connection nobody will use; a failure to close is not anyone's to handle. */
    static void closeQuietly(Connection connection) {
        Mono.from(connection.close()).onErrorResume(e -> Mono.empty()).subscribe();
    }

    /**
     * Subscriber of the acquire and subscription of the caller. {@link Operators.MonoSubscriber} settles the race
     * between the value arriving and the caller requesting or cancelling; a value it cannot deliver comes to
     * {@link #discard}, which closes it.
     */
    private static final class Handover<C extends Connection> extends Operators.MonoSubscriber<C, C> {

        private boolean delivered;

        Handover(CoreSubscriber<? super C> actual) {
            super(actual);
        }

        @Override
        public void onSubscribe(Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(C connection) {
            delivered = true;
            if (isCancelled()) {
                closeQuietly(connection);
            } else {
                complete(connection);
            }
        }

        @Override
        public void onError(Throwable error) {
            // A caller who has gone is not told: its acquire was already counted, as a timeout or an error.
            if (!isCancelled()) {
                actual.onError(error);
            }
        }

        @Override
        public void onComplete() {
            if (!delivered && !isCancelled()) {
                actual.onComplete();
            }
        }

        /** The acquire does not run in the caller's context: no hook of the caller's reaches into the pool. */
        @Override
        public Context currentContext() {
            return Context.empty();
        }

        @Override
        protected void discard(C connection) {
            if (connection != null) {
                closeQuietly(connection);
            }
        }
    }
}
