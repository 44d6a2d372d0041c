package dev.sluice.pool.kv;

/** The bucket does not exist on the server (or no JetStream server answers for it). */
public final class BucketNotFoundException extends KvException {

    /** {@code operation} on {@code key} (null for the whole bucket) found no bucket named {@code bucket}. */
    public BucketNotFoundException(String bucket, KvOperation operation, String key) {
        super(bucket, operation, key, where(operation, bucket, key) + " failed: bucket '" + bucket
                + "' does not exist (or JetStream does not answer for it): create it, or let KvStores.start() provision it", null);
    }
}
