package dev.sluice.saga;

import dev.sluice.pool.Lifecycle;
import dev.sluice.pool.loop.LoopLifecycle;
import dev.sluice.pool.loop.TimedLoop;

import dev.sluice.pool.kv.KvStore;
import dev.sluice.pool.kv.KvTimeoutException;
import dev.sluice.pool.kv.NotConnectedException;
import dev.sluice.saga.internal.LogWriter;
import dev.sluice.saga.internal.OutboxTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Delivers the outbox rows of {@link Coordination#EVENTUAL} sagas to JetStream KV; one per executor
 * ({@link SagaExecutor#outbox()}), for the buckets of the eventual definitions registered with it.
 *
 * <p>Each batch is one PostgreSQL transaction: it claims undelivered rows that are the oldest undelivered row of
 * their key ({@code FOR UPDATE SKIP LOCKED}, so relays of several instances share the work and rows of one key are
 * delivered in order), puts each row's value with the row's message id (or, for a row without a value, deletes the
 * key with it), and marks it delivered with the revision (of the delete marker, for a delete). A batch holds at
 * most one row per key, so a pass runs batches until one finds no row it has not tried yet.
 *
 * <p>A row that cannot be delivered because NATS cannot be reached ({@link NotConnectedException},
 * {@link KvTimeoutException}) ends the pass: its failure is counted on the row, the rows delivered before it stay
 * delivered, and it is tried again by a later pass. A row that KV refuses (an invalid key, a value over the bucket's
 * limit, a deleted bucket: any other failure) has its failure counted and recorded on the row ({@code attempts},
 * {@code last_error}) and stays pending, holding back the later rows of its own key only: the batch goes on with the
 * other keys, and the pass does not claim that row again, so refused rows, however many, never stall the outbox
 * (the next pass tries them again). A delivery whose outcome was lost (the put was applied but the
 * row not marked: the relay was stopped or killed mid-batch) is repeated with the same message id, which JetStream
 * acknowledges as a duplicate within the bucket's duplicate window, so each row is stored once.
 */
public final class OutboxRelay implements Lifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);

    private final LogWriter log;
    private final String ownerId;
    private final int batch;
    private final Map<String, KvStore> stores = new ConcurrentHashMap<>();
    private final LoopLifecycle loop;

    OutboxRelay(LogWriter log, String ownerId, int batch, Duration interval) {
        this.log = log;
        this.ownerId = ownerId;
        this.batch = batch;
        this.loop = new LoopLifecycle(TimedLoop.every(interval, "outbox relay pass of '" + ownerId + "'", LOG), this::relayPending,
                "the outbox relay of '" + ownerId + "'");
    }

    void deliverTo(KvStore store) {
        stores.putIfAbsent(store.bucket(), store);
    }

    /**
     * Delivers pending rows, batch after batch, until every row it can claim has been tried once in this pass (none
     * is left, or only rows KV refuses and the rows of their keys behind them) or NATS cannot be reached.
     *
     * <p>Cold: each subscription makes one such pass and emits how many rows it delivered (0 when there is nothing
     * to deliver or no bucket is known to this relay). A failed delivery is not an error of the Mono (the row stays
     * pending, its failure recorded on it); the Mono fails only with the log's errors. Cancelling rolls back the batch in progress: its rows
     * stay pending and are delivered again later, with the same message ids.
     */
    public Mono<Integer> relayPending() {
        return Mono.defer(() -> {
            if (stores.isEmpty()) {
                return Mono.just(0);
            }
            Set<Long> refused = new HashSet<>(); // the pass's batches run one after another
            return batch(refused).expand(result -> result.more() ? batch(refused) : Mono.empty())
                    .reduce(0, (sum, result) -> sum + result.delivered());
        });
    }

    private record Batch(int delivered, boolean more) {
    }

    private enum Delivery { DELIVERED, REFUSED, UNREACHABLE }

    /** One batch; the rows KV refuses are added to {@code refused}, which later batches of the pass skip. */
    private Mono<Batch> batch(Set<Long> refused) {
        return log.pool().inTransaction(tx -> log.outbox().claimIn(tx, stores.keySet(), batch, refused).collectList()
                        .flatMap(rows -> Flux.fromIterable(rows)
                                .concatMap(row -> write(row)
                                        .flatMap(revision -> log.outbox().deliveredIn(tx, row.id(), revision).thenReturn(Delivery.DELIVERED))
                                        .onErrorResume(error -> {
                                            Delivery failed = unreachable(error) ? Delivery.UNREACHABLE : Delivery.REFUSED;
                                            if (failed == Delivery.REFUSED) {
                                                refused.add(row.id());
                                            }
                                            return log.outbox().failedIn(tx, row.id(), error.toString()).thenReturn(failed);
                                        }))
                                .takeUntil(delivery -> delivery == Delivery.UNREACHABLE)
                                .collectList()
                                .map(deliveries -> {
                                    int delivered = (int) deliveries.stream().filter(d -> d == Delivery.DELIVERED).count();
                                    return new Batch(delivered, !rows.isEmpty() && !deliveries.contains(Delivery.UNREACHABLE));
                                })))
                .single();
    }

    private static boolean unreachable(Throwable error) {
        return error instanceof NotConnectedException || error instanceof KvTimeoutException;
    }

    private Mono<Long> write(OutboxTable.OutboxRow row) {
        KvStore store = stores.get(row.bucket());
        return row.value() == null ? store.delete(row.key(), row.messageId()) : store.put(row.key(), row.value(), row.messageId());
    }

    /** How many outbox rows (of every bucket) wait for delivery. Cold. */
    public Mono<Long> pending() {
        return log.outbox().pending();
    }

    /**
     * Starts the relay loop ({@link Lifecycle#start()}): a pass every {@link SagaExecutor.Builder#outboxInterval} on
     * this instance, the first at once; a pass still running when the next is due delays it. Errors of a pass are
     * logged and the loop goes on.
     */
    @Override
    public Mono<Void> start() {
        return loop.start();
    }

    /** Stops the relay loop ({@link Lifecycle#stop()}), cancelling the pass in progress (its rows are delivered again later). */
    @Override
    public Mono<Void> stop() {
        return loop.stop();
    }
}
