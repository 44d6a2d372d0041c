package dev.sluice.saga;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A saga in the manual-intervention queue: its compensation failed after its retries.
 *
 * @param sagaId        the saga
 * @param sagaName      its definition's name
 * @param correlationId its correlation id
 * @param reason        why it was compensating
 * @param errors        the compensations that failed ({@code "<step id>: <error>"})
 * @param queuedAt      when it was (last) queued
 * @param retries       how many times it was retried from the queue
 * @param resolvedAt    when it was resolved, empty while it waits
 * @param resolution    how it was resolved, empty while it waits
 */
public record InterventionEntry(UUID sagaId, String sagaName, String correlationId, String reason, List<String> errors,
                                OffsetDateTime queuedAt, int retries, Optional<OffsetDateTime> resolvedAt, Optional<String> resolution) {

    /** Copies the errors. */
    public InterventionEntry {
        errors = List.copyOf(errors);
    }
}
