package dev.sluice.saga;

import dev.sluice.pool.Lifecycle;
import dev.sluice.pool.loop.LoopLifecycle;
import dev.sluice.pool.loop.TimedLoop;

import dev.sluice.saga.internal.Json;
import dev.sluice.saga.internal.LogWriter;
import dev.sluice.saga.internal.PreparedTransaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;

/**
 * Finds sagas whose owner stopped renewing its lease (it crashed, hung, or lost the database) and finishes them on
 * this instance: each pass claims up to the executor's recovery batch of expired sagas with
 * {@code FOR UPDATE SKIP LOCKED} (so instances recovering at once never claim the same saga), makes this instance
 * their owner with a fresh lease, and resumes each from its log: forward from the first step not recorded as
 * completed (a step logged as started is checked first, so its effect is not applied twice), or on with its
 * compensations when it was compensating.
 */
public final class SagaRecovery implements Lifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(SagaRecovery.class);

    private final SagaExecutor executor;
    private final int batch;
    private final LoopLifecycle loop;

    SagaRecovery(SagaExecutor executor, int batch, Duration interval) {
        this.executor = executor;
        this.batch = batch;
        this.loop = new LoopLifecycle(TimedLoop.every(interval, "saga recovery pass of '" + executor.ownerId() + "'", LOG),
                () -> recoverExpired().then(resolveOrphanedPrepared()), "the saga recovery loop of '" + executor.ownerId() + "'");
    }

    /**
     * One recovery pass.
     *
     * <p>Cold: each subscription claims up to one batch of expired sagas, emits a {@link SagaEvent.Type#RECOVERED}
     * event for each, resumes them concurrently, and emits each one's {@link SagaResult} when it is terminal, then
     * completes. It fails with the log's error when the claim fails (nothing was claimed then). A saga that cannot be
     * resumed here (its definition is not registered, a log error) is left with its new lease, which expires so
     * another pass or instance can take it. Cancelling stops waiting; the claimed sagas run on to their end.
     */
    public Flux<SagaResult> recoverExpired() {
        return executor.log().writer().sagas().claimExpired(executor.ownerId(), executor.leaseDuration(), batch)
                .collectList()
                .flatMapMany(claimed -> Flux.fromIterable(claimed).flatMap(saga -> {
                    executor.emit(SagaEvent.Type.RECOVERED, new SagaContext(saga.sagaId(), saga.name(), saga.correlationId(),
                            saga.input(), Json.MAPPER), null, "recovery " + saga.recoveries());
                    return executor.resume(saga).onErrorResume(error -> {
                        LOG.warn("could not recover saga {} ({} v{}): {}", saga.sagaId(), saga.name(), saga.version(), error.toString());
                        return Mono.empty();
                    });
                }, Math.max(1, claimed.size())));
    }

    /**
     * Ends the prepared transactions of this log ({@code pg_prepared_xacts}, this database, global ids with the log's
     * prefix) whose saga no longer runs or is unknown, according to the log: {@code COMMIT PREPARED} when the log
     * records the decision to commit (or the saga completed), else {@code ROLLBACK PREPARED}. Prepared
     * transactions of sagas still running (or whose lease expired) are left to their saga, which ends them when it
     * resumes ({@link #recoverExpired()}).
     *
     * <p>Cold: each subscription makes one pass and emits how many transactions it ended; it fails with the
     * server's error (the transactions ended before stay ended).
     */
    public Mono<Integer> resolveOrphanedPrepared() {
        LogWriter log = executor.log().writer();
        return log.prepared().orphaned(executor.log().preparedGidPrefix())
                .concatMap(orphan -> PreparedTransaction.end(log.pool(),
                                orphan.getValue() ? "COMMIT PREPARED" : "ROLLBACK PREPARED", orphan.getKey())
                        .doOnSuccess(done -> LOG.info("ended orphaned prepared transaction {} with {}", orphan.getKey(),
                                orphan.getValue() ? "COMMIT PREPARED" : "ROLLBACK PREPARED"))
                        .thenReturn(1))
                .reduce(0, Integer::sum);
    }

    /**
     * Starts the recovery loop ({@link Lifecycle#start()}): a pass every {@link SagaExecutor.Builder#recoveryInterval}
     * on this instance, the first at once; a pass still running when the next is due delays it. A pass is
     * {@link #recoverExpired()}, then {@link #resolveOrphanedPrepared()}; its errors are logged and the loop goes on.
     */
    @Override
    public Mono<Void> start() {
        return loop.start();
    }

    /** Stops the recovery loop ({@link Lifecycle#stop()}); sagas a pass already resumed run on to their end. */
    @Override
    public Mono<Void> stop() {
        return loop.stop();
    }
}
