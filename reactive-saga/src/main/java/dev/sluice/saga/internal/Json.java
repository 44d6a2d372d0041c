package dev.sluice.saga.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import io.r2dbc.spi.Parameters;

/** JSON conversions of the saga log (internal). */
public final class Json {

    /** The mapper the module uses for inputs and results. */
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    /** A value as a JSON tree; {@code null} becomes JSON null. */
    public static JsonNode tree(Object value) {
        if (value == null) {
            return NullNode.getInstance();
        }
        if (value instanceof JsonNode node) {
            return node;
        }
        return MAPPER.valueToTree(value);
    }

    /** Parses text from a {@code jsonb} column; {@code null} stays {@code null}. */
    public static JsonNode parse(String text) {
        if (text == null) {
            return null;
        }
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the saga log holds JSON that does not parse: " + e.getOriginalMessage(), e);
        }
    }

    /** A JSON tree as a statement parameter for {@code $n::jsonb}; {@code null} as a typed null. */
    public static Object param(JsonNode node) {
        return node == null ? Parameters.in(String.class) : node.toString();
    }

    /** Text as a statement parameter; {@code null} as a typed null. */
    public static Object text(String value) {
        return value == null ? Parameters.in(String.class) : value;
    }
}
