package dev.sluice.pool.kv;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * Stores values as JSON with a Jackson {@link ObjectMapper} (which is thread-safe once configured).
 *
 * <pre>{@code
 * KvCodec<Order> json = JacksonKvCodec.of(new ObjectMapper(), Order.class);
 * TypedKvStore<Order> orders = stores.store("orders").typed(json);
 * }</pre>
 *
 * @param <T> the value type
 */
public final class JacksonKvCodec<T> implements KvCodec<T> {

    private final ObjectMapper mapper;
    private final JavaType type;

    private JacksonKvCodec(ObjectMapper mapper, JavaType type) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.type = type;
    }

    /** JSON for values of a class. */
    public static <T> JacksonKvCodec<T> of(ObjectMapper mapper, Class<T> type) {
        return new JacksonKvCodec<>(mapper, mapper.constructType(type));
    }

    /** JSON for values of a generic type, such as {@code new TypeReference<List<Order>>() {}}. */
    public static <T> JacksonKvCodec<T> of(ObjectMapper mapper, TypeReference<T> type) {
        return new JacksonKvCodec<>(mapper, mapper.constructType(type));
    }

    /** @throws UncheckedIOException when the value cannot be written as JSON */
    @Override
    public byte[] encode(T value) {
        try {
            return mapper.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write " + type + " as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** @throws UncheckedIOException when the bytes are not JSON of this type */
    @Override
    public T decode(byte[] bytes) {
        try {
            return mapper.readValue(bytes, type);
        } catch (IOException e) {
            String reason = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new UncheckedIOException("cannot read " + type + " from JSON: " + reason, e);
        }
    }

    @Override
    public String toString() {
        return "JacksonKvCodec[" + type + "]";
    }
}
