package dev.sluice.pool.kv;

/**
 * The operation could not be sent: the connection is closed, the stores are not started or closed, the reconnect
 * buffer ({@link ReconnectPolicy#bufferSize()}) is full while the connection is reconnecting, or the connection's
 * outgoing queue ({@link NatsConfig#maxPendingMessages()}) is full.
 */
public final class NotConnectedException extends KvException {

    /** {@code operation} (null when none was under way, such as at start) could not be sent, for {@code reason}. */
    public NotConnectedException(String bucket, KvOperation operation, String key, String reason, Throwable cause) {
        super(bucket, operation, key, (operation == null ? "" : where(operation, bucket, key) + " failed: ") + "not connected to NATS: " + reason, cause);
    }
}
