package dev.sluice.saga.internal;

import dev.sluice.pool.PgPool;
import io.r2dbc.spi.Connection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Sinks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Group commit of the saga log (internal): the writes of concurrent sagas are gathered and committed together, in
 * one statement of arrays ({@link GroupStatement}), so the log pays one round trip and one commit per batch instead
 * of one per write. A write's {@code Mono} completes only once the transaction
 * holding it has committed (or fails with that write's own error), so a saga still waits for its record to be
 * durable before its next effect.
 *
 * <p>Writes go to one of a few lanes by saga id. A lane runs one statement at a time and gathers whatever arrived
 * while the previous one ran; there is no timer, so a lone write goes at once. Hence a
 * saga's writes commit in the order it made them: two writes of one saga never share a statement (the second waits
 * for the next one). A transaction that fails is split: each of its writes is applied alone, so one bad write
 * never fails another saga's.
 */
public final class GroupCommit {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

    /** The most writes one statement takes. */
    static final int MAX_BATCH = 256;

    /** How long a lane keeps its connection after its last write, waiting for the next. */
    static final Duration LINGER = Duration.ofMillis(5);

    private final PgPool pool;
    private final GroupStatement statement;
    private final Lane[] lanes;

    /**
     * @param pool      the pool of the log's database
     * @param statement the statement that applies a batch
     * @param lanes     how many transactions may run at once (each takes a connection of the log's pool)
     */
    GroupCommit(PgPool pool, GroupStatement statement, int lanes) {
        if (lanes < 1) {
            throw new IllegalArgumentException("group commit lanes must be at least 1, got " + lanes);
        }
        this.pool = pool;
        this.statement = statement;
        this.lanes = new Lane[lanes];
        for (int i = 0; i < lanes; i++) {
            this.lanes[i] = new Lane();
        }
    }

    /** Queues {@code write}; the Mono completes when it is committed. Cancelling does not withdraw it. */
    Mono<Void> submit(LogWrite write) {
        return Mono.create(sink -> lanes[Math.floorMod(write.sagaId().hashCode(), lanes.length)].offer(new Pending(write, sink)));
    }

    private record Pending(LogWrite write, MonoSink<Void> sink) {

        void settle(Throwable failure) {
            if (failure == null) {
                sink.success();
            } else {
                sink.error(failure);
            }
        }
    }

    private final class Lane {
        private final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean busy = new AtomicBoolean();
        /** Set while the lane waits for writes with its connection; an arriving write wakes it. */
        private volatile Sinks.Empty<Void> waiting;

        void offer(Pending pending) {
            queue.add(pending);
            Sinks.Empty<Void> lingering = waiting;
            if (lingering != null) {
                lingering.tryEmitEmpty();
            }
            drain();
        }

        /**
         * Unless the lane is at work, takes a connection and writes batches on it while writes keep coming (until
         * none arrived for {@link #LINGER}), then gives the connection back; so under load a lane keeps its
         * connection instead of queueing for one behind the sagas' own work. Only the lane's owner (who set
         * {@code busy}) polls, and it drains again when done. When no connection can be had, the next batch fails
         * with that error, so writes never wait forever.
         */
        private void drain() {
            while (!queue.isEmpty() && busy.compareAndSet(false, true)) {
                AtomicBoolean idle = new AtomicBoolean();
                pool.withConnection(connection -> Mono.defer(() -> next(connection, idle)).repeat(() -> !idle.get()))
                        .then()
                        .onErrorResume(error -> Mono.fromRunnable(() -> take().forEach(pending -> pending.settle(error))))
                        .doFinally(signal -> {
                            busy.set(false);
                            drain();
                        })
                        .subscribe();
                return;
            }
        }

        /** The next batch; with none queued, waits up to {@link #LINGER} for one, and sets {@code idle} when none came. */
        private Mono<Void> next(Connection connection, AtomicBoolean idle) {
            List<Pending> batch = take();
            if (!batch.isEmpty()) {
                return apply(connection, batch);
            }
            Sinks.Empty<Void> arrival = Sinks.empty();
            waiting = arrival;
            if (!queue.isEmpty()) {
                waiting = null;
                return Mono.empty();
            }
            return arrival.asMono()
                    .timeout(LINGER, Mono.fromRunnable(() -> idle.set(true)))
                    .doFinally(signal -> waiting = null);
        }

        /** The queue's head, up to {@link #MAX_BATCH} writes and stopping before a second write of one saga. */
        private List<Pending> take() {
            List<Pending> batch = new ArrayList<>();
            Set<UUID> sagas = new HashSet<>();
            for (Pending next = queue.peek(); next != null && batch.size() < MAX_BATCH && sagas.add(next.write().sagaId());
                 next = queue.peek()) {
                batch.add(queue.poll());
            }
            return batch;
        }
    }

    private Mono<Void> apply(Connection connection, List<Pending> batch) {
        return statement.apply(connection, batch.stream().map(Pending::write).toList())
                .doOnNext(refused -> batch.forEach(pending -> pending.settle(refused.get(pending.write()))))
                .then()
                .onErrorResume(error -> {
                    if (batch.size() == 1) {
                        batch.get(0).settle(error);
                        return Mono.empty();
                    }
                    LOG.debug("a saga log statement of {} writes failed ({}); applying them one by one", batch.size(), error.toString());
                    return Flux.fromIterable(batch).concatMap(pending -> apply(connection, List.of(pending))).then();
                });
    }
}
