package dev.sluice.pool.kv;

/** A {@link KvCodec} could not encode or decode a value. */
public final class KvCodecException extends KvException {

    /** A codec failed on the value of {@code key} during {@code operation}. */
    public KvCodecException(String bucket, KvOperation operation, String key, String message, Throwable cause) {
        super(bucket, operation, key, message, cause);
    }
}
