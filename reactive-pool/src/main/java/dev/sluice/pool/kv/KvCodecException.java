package dev.sluice.pool.kv;

/** A {@link KvCodec} could not encode or decode a value. */
public final class KvCodecException extends KvException {

    public KvCodecException(String bucket, KvOperation operation, String key, String message, Throwable cause) {
        super(bucket, operation, key, message, cause);
    }
}
