package dev.sluice.pool.kv;

/** What start-up does with an existing bucket whose settings differ from its configuration. */
public enum MismatchPolicy {
    /** Start fails with a {@link BucketMismatchException} listing each difference; the bucket is left as it is. */
    FAIL,
    /**
     * The bucket is updated to the configuration (the server refuses changes it cannot make, such as the storage
     * type, and start fails with its error).
     */
    UPDATE
}
