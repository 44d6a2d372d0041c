package dev.sluice.pool.internal;

import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Wrapped;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A pooled connection handed to a caller. Closing it returns it to the pool exactly once (further closes do
 * nothing), stops its leak timer and tells the owning pool it is back.
 */
public final class TrackedConnection extends DelegatingConnection {

    private final AtomicBoolean released = new AtomicBoolean();
    private final Consumer<TrackedConnection> onRelease;
    private final long acquiredAtNanos;
    private volatile Disposable leakTimer;

    private final java.time.Duration cancelTimeout;

    /**
     * @param cancelTimeout how long a server-side cancel request may take (it opens its own connection,
     *                      which a dead network could hold for ever)
     */
    public TrackedConnection(Connection pooled, Consumer<TrackedConnection> onRelease, java.time.Duration cancelTimeout) {
        super(pooled);
        this.onRelease = onRelease;
        this.cancelTimeout = cancelTimeout;
        this.acquiredAtNanos = System.nanoTime();
    }

    /** Arms the timer that reports this connection as leaked if it is still held when it fires. */
    public void leakTimer(Disposable timer) {
        this.leakTimer = timer;
    }

    /** When the caller got the connection ({@link System#nanoTime()}). */
    public long acquiredAtNanos() {
        return acquiredAtNanos;
    }

    /** Whether the connection went back to the pool. */
    public boolean isReleased() {
        return released.get();
    }

    /**
     * Ends the session at once, for a shutdown whose grace period is over: asks the server to cancel the
     * running statement, then closes the physical connection. The caller's work fails; its own close then
     * returns the dead connection to the pool, which discards it.
     */
    public Mono<Void> abort() {
        Connection target = physical();
        return cancelRunningStatement(target).then(Mono.from(target.close())).onErrorResume(e -> Mono.empty());
    }

    /**
     * Returns the connection after its caller cancelled: first asks the server to cancel whatever statement
     * may still be running on it (the driver does not), so the next caller does not wait behind it. A cancel
     * that reaches an idle session is ignored by PostgreSQL.
     */
    public Publisher<Void> cancelAndClose() {
        return cancelRunningStatement(physical()).then(Mono.from(close()));
    }

    private Mono<Void> cancelRunningStatement(Connection target) {
        return target instanceof PostgresqlConnection pg
                ? pg.cancelRequest().timeout(cancelTimeout).onErrorResume(e -> Mono.empty())
                : Mono.empty();
    }

    private Connection physical() {
        Connection physical = delegate;
        while (physical instanceof Wrapped<?> wrapped && wrapped.unwrap() instanceof Connection inner && inner != physical) {
            physical = inner;
        }
        return physical;
    }

    /**
     * Returns the connection to the pool; only the first call does anything. A connection still inside a
     * transaction (the driver knows it from the server's last ready-for-query status) is rolled back first,
     * so no transaction, and no {@code SET LOCAL} or tenant setting, ever reaches the next caller.
     */
    @Override
    public Publisher<Void> close() {
        return Mono.defer(() -> {
            if (!released.compareAndSet(false, true)) {
                return Mono.empty();
            }
            Disposable timer = leakTimer;
            if (timer != null) {
                timer.dispose();
            }
            Mono<Void> release = Mono.from(delegate.close());
            if (!delegate.isAutoCommit()) {
                release = Mono.from(delegate.rollbackTransaction()).onErrorResume(e -> Mono.empty()).then(release);
            }
            return release
                    .doOnTerminate(() -> onRelease.accept(this))
                    .doOnCancel(() -> onRelease.accept(this));
        });
    }
}
