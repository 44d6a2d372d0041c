package dev.sluice.saga.internal;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.UUID;

/**
 * One saga's row in the log (internal).
 *
 * @param sagaId        the saga
 * @param name          its definition's name
 * @param version       its definition's version
 * @param correlationId its correlation id
 * @param input         its input
 * @param state         its state
 * @param reason        the recorded reason, may be null
 * @param recoveries    how many times it was claimed by recovery
 */
public record SagaRecord(UUID sagaId, String name, int version, String correlationId, JsonNode input, SagaState state, String reason,
                         int recoveries) {
}
