package dev.sluice.pool.loop;

import dev.sluice.pool.Lifecycle;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A {@link TimedLoop} as a {@link Lifecycle}: {@code start()} starts the loop once, {@code stop()} ends it (cancelling
 * the pass in progress) and it does not start again. For the types whose whole life is one loop.
 */
public final class LoopLifecycle implements Lifecycle {

    private static final Disposable STOPPED = () -> { };

    private final TimedLoop loop;
    private final Supplier<? extends Publisher<?>> pass;
    private final String what;
    private final AtomicReference<Disposable> running = new AtomicReference<>();

    /**
     * @param what what the loop is, for the error of a start after a stop ("the outbox relay of 'a'")
     */
    public LoopLifecycle(TimedLoop loop, Supplier<? extends Publisher<?>> pass, String what) {
        this.loop = loop;
        this.pass = pass;
        this.what = what;
    }

    @Override
    public Mono<Void> start() {
        return Mono.defer(() -> {
            Disposable now = running.get();
            if (now == STOPPED) {
                return Mono.error(new IllegalStateException(what + " was stopped; make a new one to run it again"));
            }
            if (now == null) {
                Disposable started = loop.start(pass);
                if (!running.compareAndSet(null, started)) {
                    started.dispose();
                    return start();
                }
            }
            return Mono.empty();
        });
    }

    @Override
    public Mono<Void> stop() {
        return Mono.fromRunnable(() -> {
            Disposable before = running.getAndSet(STOPPED);
            if (before != null) {
                before.dispose();
            }
        });
    }

    /** Whether the loop runs now. */
    public boolean isRunning() {
        Disposable now = running.get();
        return now != null && now != STOPPED;
    }
}
