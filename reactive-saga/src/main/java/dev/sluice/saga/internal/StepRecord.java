package dev.sluice.saga.internal;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One step's row in the log (internal).
 *
 * @param stepId   the step
 * @param position its place in the definition (flattened order)
 * @param state    its state
 * @param preImage what the step recorded before its effect (may be null)
 * @param result   its recorded result (null until completed)
 * @param error    the last recorded error (may be null)
 */
public record StepRecord(String stepId, int position, StepState state, JsonNode preImage, JsonNode result, String error) {
}
