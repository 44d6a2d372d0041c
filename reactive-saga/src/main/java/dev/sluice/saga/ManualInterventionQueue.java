package dev.sluice.saga;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.saga.internal.InterventionTable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Sagas that ended {@link SagaOutcome#COMPENSATION_FAILED}, kept in the log's {@code saga_intervention} table until
 * someone deals with them: fix the cause and {@link #retry(UUID)}, or undo by hand and {@link #resolve(UUID, String)}.
 */
public final class ManualInterventionQueue {

    private final SagaExecutor executor;

    ManualInterventionQueue(SagaExecutor executor) {
        this.executor = executor;
    }

    /**
     * The entries waiting for intervention, oldest first.
     *
     * @return a cold Flux that reads the queue once and completes; it fails with the log's error
     */
    public Flux<InterventionEntry> list() {
        return entries(false);
    }

    /** Every entry, resolved ones included, oldest first; cold, as {@link #list()}. */
    public Flux<InterventionEntry> history() {
        return entries(true);
    }

    private Flux<InterventionEntry> entries(boolean all) {
        return executor.log().writer().interventions().list(all).map(ManualInterventionQueue::entry);
    }

    private static InterventionEntry entry(InterventionTable.InterventionRow row) {
        List<String> errors = new ArrayList<>();
        if (row.errors() != null) {
            for (JsonNode error : row.errors()) {
                errors.add(error.asText());
            }
        }
        return new InterventionEntry(row.sagaId(), row.name(), row.correlationId(), row.reason(), errors, row.queuedAt(), row.retries(),
                Optional.ofNullable(row.resolvedAt()), Optional.ofNullable(row.resolution()));
    }

    /**
     * Runs the saga's remaining compensations again (those not recorded as compensated), on this instance.
     *
     * <p>Cold: each subscription claims the saga (it becomes {@code COMPENSATING} with this instance's lease),
     * re-runs the compensations in reverse order, and emits the new {@link SagaResult}: {@link SagaOutcome#ROLLED_BACK}
     * (the entry is then marked resolved) or {@link SagaOutcome#COMPENSATION_FAILED} again (the entry stays, with the
     * new errors). It fails with {@link IllegalStateException} when the saga is not in state
     * {@code COMPENSATION_FAILED} (unknown, already retried, or being retried elsewhere), and with the log's errors.
     * Cancelling stops waiting; a claimed retry runs on to its end.
     */
    public Mono<SagaResult> retry(UUID sagaId) {
        Objects.requireNonNull(sagaId, "sagaId");
        return executor.log().writer().claimForRetry(sagaId, executor.ownerId(), executor.leaseDuration())
                .switchIfEmpty(Mono.error(() -> new IllegalStateException("saga " + sagaId
                        + " is not waiting for intervention (it is unknown, not in state COMPENSATION_FAILED, or being retried)")))
                .flatMap(executor::resume);
    }

    /**
     * Marks the entry resolved with a note (such as what was done by hand); the saga stays
     * {@code COMPENSATION_FAILED} in the log.
     *
     * @return a cold Mono emitting whether an unresolved entry was resolved; it fails with the log's error
     */
    public Mono<Boolean> resolve(UUID sagaId, String note) {
        Objects.requireNonNull(sagaId, "sagaId");
        Objects.requireNonNull(note, "note");
        return executor.log().writer().interventions().resolve(sagaId, note);
    }
}
