package dev.sluice.pool.kv;

import java.time.Duration;

/**
 * A bucket's settings and state as the server reports them.
 *
 * @param bucket        the bucket's name on the server
 * @param entries       messages in the bucket's stream (all kept revisions, markers included)
 * @param bytes         bytes stored
 * @param ttl           entry TTL, {@link Duration#ZERO} for none
 * @param replicas      replicas
 * @param storage       file or memory
 * @param history       revisions kept per key
 * @param maxBucketSize maximum bucket size in bytes, -1 for unlimited
 * @param maxValueSize  maximum value size in bytes, -1 for unlimited
 * @param consumers     consumers on the bucket's stream now (watches, key and history scans)
 * @param allowDirect   whether any replica may answer reads (direct get)
 */
public record KvBucketStatus(String bucket, long entries, long bytes, Duration ttl, int replicas, KvStorage storage, int history,
                             long maxBucketSize, long maxValueSize, long consumers, boolean allowDirect) {
}
