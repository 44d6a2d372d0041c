package dev.sluice.pool.kv;

/**
 * Base of every failure of a KV operation. It names the bucket (as on the server), the operation and the key
 * (null for operations on the whole bucket).
 */
public abstract class KvException extends RuntimeException {

    private final String bucket;
    private final KvOperation operation;
    private final String key;

    /** A failure of {@code operation} on {@code key} (null for the whole bucket) in {@code bucket}. */
    protected KvException(String bucket, KvOperation operation, String key, String message, Throwable cause) {
        super(message, cause);
        this.bucket = bucket;
        this.operation = operation;
        this.key = key;
    }

    /** The bucket's name on the server. */
    public String bucket() {
        return bucket;
    }

    /** The operation that failed. */
    public KvOperation operation() {
        return operation;
    }

    /** The key, or null for operations on the whole bucket. */
    public String key() {
        return key;
    }

    static String where(KvOperation operation, String bucket, String key) {
        return operation.label() + " of " + (key == null ? "bucket '" + bucket + "'" : "key '" + key + "' in bucket '" + bucket + "'");
    }
}
