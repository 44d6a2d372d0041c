package dev.sluice.pool.kv;

/** {@link KvStore#create} found the key already holding a value. */
public final class KeyExistsException extends KvException {

    /** {@code create} found {@code key} holding a value in {@code bucket} (its name on the server). */
    public KeyExistsException(String bucket, String key) {
        super(bucket, KvOperation.CREATE, key, "key '" + key + "' already exists in bucket '" + bucket
                + "': create only writes absent (or deleted) keys; use put to overwrite or update to compare-and-set", null);
    }
}
