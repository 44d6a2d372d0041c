package dev.sluice.pool.kv;

import java.util.List;

/**
 * At start, an existing bucket's settings differ from its {@link KvBucketConfig} and its policy is
 * {@link MismatchPolicy#FAIL}. The bucket was left unchanged.
 */
public final class BucketMismatchException extends KvException {

    private final List<String> differences;

    /** {@code bucket} exists with settings that differ as {@code differences} says, one line per setting. */
    public BucketMismatchException(String bucket, List<String> differences) {
        super(bucket, null, null, "bucket '" + bucket + "' exists with other settings than configured: "
                + String.join("; ", differences)
                + ". Change the configuration to match, or set onMismatch(UPDATE) (NATS_KV_ON_MISMATCH=update) to update the bucket", null);
        this.differences = List.copyOf(differences);
    }

    /** One line per differing setting: {@code history: configured 5, on the server 1}. */
    public List<String> differences() {
        return differences;
    }
}
