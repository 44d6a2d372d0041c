package dev.sluice.pool.kv;

/** A compare-and-set ({@link KvStore#update}, {@link KvStore#delete(String, long)}) found another last revision. */
public final class WrongRevisionException extends KvException {

    private final long expectedRevision;

    /** The key's last revision was not {@code expectedRevision} when {@code operation} compared it. */
    public WrongRevisionException(String bucket, KvOperation operation, String key, long expectedRevision) {
        super(bucket, operation, key, where(operation, bucket, key) + " expected revision " + expectedRevision
                + ", but the key's last revision is another: read it again and retry with the current revision", null);
        this.expectedRevision = expectedRevision;
    }

    /** The revision the caller expected to be the key's last. */
    public long expectedRevision() {
        return expectedRevision;
    }
}
