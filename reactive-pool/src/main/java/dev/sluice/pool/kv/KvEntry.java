package dev.sluice.pool.kv;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * One revision of a key: its value (empty for a delete or purge marker), its revision (the stream sequence, which
 * {@link KvStore#update} compares), when it was written and what kind of write it was.
 */
public final class KvEntry {

    /** The kind of write that made an entry. */
    public enum Operation {
        /** A value was written. */
        PUT,
        /** The key was deleted; earlier revisions are kept in its history. */
        DELETE,
        /** The key was purged: its earlier revisions are gone. */
        PURGE
    }

    private static final byte[] EMPTY = new byte[0];

    private final String bucket;
    private final String key;
    private final byte[] value;
    private final long revision;
    private final Instant created;
    private final Operation operation;

    /**
     * @param bucket    the bucket's name on the server
     * @param key       the key
     * @param value     the value (null is taken as empty)
     * @param revision  the revision
     * @param created   when it was written
     * @param operation the kind of write
     */
    public KvEntry(String bucket, String key, byte[] value, long revision, Instant created, Operation operation) {
        this.bucket = Objects.requireNonNull(bucket, "bucket");
        this.key = Objects.requireNonNull(key, "key");
        this.value = value == null ? EMPTY : value;
        this.revision = revision;
        this.created = created;
        this.operation = Objects.requireNonNull(operation, "operation");
    }

    /** The bucket's name on the server. */
    public String bucket() {
        return bucket;
    }

    /** The key. */
    public String key() {
        return key;
    }

    /** A copy of the value's bytes (empty for a delete or purge). */
    public byte[] value() {
        return value.clone();
    }

    /** The value's size in bytes. */
    public int size() {
        return value.length;
    }

    /** The value as UTF-8 text. */
    public String valueAsString() {
        return new String(value, StandardCharsets.UTF_8);
    }

    /**
     * The value decoded by {@code codec}.
     *
     * @throws KvCodecException when the codec cannot decode it
     */
    public <T> T value(KvCodec<T> codec) {
        try {
            return codec.decode(value);
        } catch (RuntimeException e) {
            throw new KvCodecException(bucket, KvOperation.GET, key, "could not decode the value of key '" + key + "' (revision " + revision
                    + ") in bucket '" + bucket + "' with " + codec + ": " + e.getMessage(), e);
        }
    }

    /** The revision: the entry's sequence in the bucket's stream. */
    public long revision() {
        return revision;
    }

    /** When the entry was written (server time). */
    public Instant created() {
        return created;
    }

    /** The kind of write. */
    public Operation operation() {
        return operation;
    }

    /** Whether this entry is a delete or purge marker. */
    public boolean isDeleted() {
        return operation != Operation.PUT;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KvEntry e && bucket.equals(e.bucket) && key.equals(e.key) && revision == e.revision
                && operation == e.operation && Arrays.equals(value, e.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(bucket, key, revision, operation);
    }

    @Override
    public String toString() {
        return "KvEntry[" + bucket + "/" + key + " rev=" + revision + " " + operation + " " + value.length + " bytes]";
    }
}
