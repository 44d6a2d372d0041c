package dev.sluice.saga;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a step sees of its saga: the ids, the input, and the recorded results of the steps that completed before
 * it. Results are the JSON recorded in the log, so a step resumed by another instance after a crash sees exactly
 * what the first instance recorded.
 */
public final class SagaContext {

    private final UUID sagaId;
    private final String sagaName;
    private final String correlationId;
    private final JsonNode input;
    private final ObjectMapper mapper;
    private final Map<String, JsonNode> results = new ConcurrentHashMap<>();

    SagaContext(UUID sagaId, String sagaName, String correlationId, JsonNode input, ObjectMapper mapper) {
        this.sagaId = sagaId;
        this.sagaName = sagaName;
        this.correlationId = correlationId;
        this.input = input;
        this.mapper = mapper;
    }

    /** The saga's id in the log. */
    public UUID sagaId() {
        return sagaId;
    }

    /** The definition's name. */
    public String sagaName() {
        return sagaName;
    }

    /** The correlation id. */
    public String correlationId() {
        return correlationId;
    }

    /** The input as recorded (JSON). */
    public JsonNode input() {
        return input;
    }

    /**
     * The input converted to {@code type}.
     *
     * @throws IllegalArgumentException when the recorded JSON does not fit the type
     */
    public <T> T input(Class<T> type) {
        return convert(input, type);
    }

    /** The recorded result of an earlier step, empty when that step has not completed. */
    public Optional<JsonNode> result(String stepId) {
        return Optional.ofNullable(results.get(stepId));
    }

    /**
     * The recorded result of an earlier step converted to {@code type}.
     *
     * @throws IllegalStateException    when that step has not completed
     * @throws IllegalArgumentException when the recorded JSON does not fit the type
     */
    public <T> T result(String stepId, Class<T> type) {
        JsonNode node = results.get(stepId);
        if (node == null) {
            throw new IllegalStateException("saga '" + sagaName + "' (" + sagaId + "): step '" + stepId
                    + "' has no recorded result; only steps that completed earlier have one");
        }
        return convert(node, type);
    }

    /** A key that is the same every time this step of this saga runs, for user steps that de-duplicate work. */
    public String idempotencyKey(String stepId) {
        return sagaId + ":" + stepId;
    }

    /** The results recorded so far, by step id. */
    public Map<String, JsonNode> results() {
        return Map.copyOf(results);
    }

    void record(String stepId, JsonNode result) {
        results.put(stepId, result == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : result);
    }

    private <T> T convert(JsonNode node, Class<T> type) {
        try {
            return mapper.treeToValue(node, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("saga '" + sagaName + "': cannot read " + node + " as " + type.getName() + ": "
                    + e.getOriginalMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "SagaContext[" + sagaName + " " + sagaId + " correlation=" + correlationId + "]";
    }
}
