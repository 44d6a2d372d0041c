package dev.sluice.bench.system;

import java.util.Arrays;
import java.util.Objects;

/**
 * What the KV systems write and read: one key per caller in a shared bucket (keys of different systems never
 * collide), each written with a value of a fixed size and read back.
 *
 * @param bucket     the bucket's name on the server
 * @param valueBytes size of every value
 */
public record KvWorkload(String bucket, int valueBytes) {

    public KvWorkload {
        Objects.requireNonNull(bucket, "bucket");
        if (valueBytes < 1) {
            throw new IllegalArgumentException("values must have at least one byte, got " + valueBytes);
        }
    }

    /** The key of one caller of one system. */
    public String key(String system, int caller) {
        return system + ".k" + caller;
    }

    /** A value of {@link #valueBytes()} printable bytes. */
    public byte[] value() {
        byte[] value = new byte[valueBytes];
        Arrays.fill(value, (byte) 'v');
        return value;
    }
}
