package dev.sluice.health;

import dev.sluice.pool.kv.KvBucketStatus;
import dev.sluice.pool.kv.KvStoreStats;

import java.time.Instant;
import java.util.Optional;

/**
 * A JetStream KV bucket at one sampling round. Rates cover the monitor's rate window.
 *
 * @param id               see {@link HealthSample#id()}
 * @param round            see {@link HealthSample#round()}
 * @param at               see {@link HealthSample#at()}
 * @param subject          the bucket, by logical name
 * @param check            this round's bucket status request
 * @param bucket           the bucket's name on the server
 * @param bucketStatus     what the server reported, when the check answered
 * @param operations       operations started since the stores started
 * @param errors           failed operations since the stores started
 * @param errorRate        failed ÷ started operations in the rate window, 0 to 1 (0 without operations)
 * @param operationsInWindow operations started in the rate window (the basis of {@code errorRate})
 * @param checkSuccessRate see {@link HealthSample#checkSuccessRate()}
 * @param checks           see {@link HealthSample#checks()}
 * @param stats            the store's full statistics snapshot
 */
public record BucketSample(long id, long round, Instant at, Subject subject, CheckResult check, String bucket,
                           Optional<KvBucketStatus> bucketStatus, long operations, long errors, double errorRate,
                           long operationsInWindow, double checkSuccessRate, int checks, KvStoreStats stats) implements HealthSample {
}
