package dev.sluice.pool.kv;

import java.nio.charset.StandardCharsets;

/**
 * Turns values of a user type into bytes and back, for {@link KvStore#typed(KvCodec)} and
 * {@link KvEntry#value(KvCodec)}. Implementations must be thread-safe and must not block. {@link JacksonKvCodec}
 * stores JSON.
 *
 * @param <T> the value type
 */
public interface KvCodec<T> {

    /** The bytes to store for {@code value}. */
    byte[] encode(T value);

    /** The value stored as {@code bytes}. */
    T decode(byte[] bytes);

    /** UTF-8 text. */
    static KvCodec<String> utf8() {
        return new KvCodec<>() {
            @Override
            public byte[] encode(String value) {
                return value.getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public String decode(byte[] bytes) {
                return new String(bytes, StandardCharsets.UTF_8);
            }

            @Override
            public String toString() {
                return "KvCodec.utf8";
            }
        };
    }
}
