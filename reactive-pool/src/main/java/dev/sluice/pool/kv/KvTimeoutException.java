package dev.sluice.pool.kv;

import java.time.Duration;

/** The server did not answer within the request timeout. The operation may or may not have been applied. */
public final class KvTimeoutException extends KvException {

    private final Duration timeout;

    /** {@code operation} on {@code key} (null for the whole bucket) got no answer within {@code timeout}. */
    public KvTimeoutException(String bucket, KvOperation operation, String key, Duration timeout) {
        super(bucket, operation, key, where(operation, bucket, key) + " got no answer within " + timeout.toMillis()
                + " ms (NatsConfig.requestTimeout); a write may still have been applied", null);
        this.timeout = timeout;
    }

    /** How long the operation waited. */
    public Duration timeout() {
        return timeout;
    }
}
