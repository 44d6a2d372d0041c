package dev.sluice.pool.kv.internal;

import dev.sluice.pool.kv.BucketMismatchException;
import dev.sluice.pool.kv.KvBucketConfig;
import dev.sluice.pool.kv.KvBucketStatus;
import dev.sluice.pool.kv.KvOperation;
import dev.sluice.pool.kv.KvServerException;
import dev.sluice.pool.kv.KvStorage;
import dev.sluice.pool.kv.MismatchPolicy;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValueManagement;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueStatus;
import io.nats.client.api.StorageType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates missing buckets and checks existing ones against their configuration. Bucket management has no
 * asynchronous form in jnats: this blocks, and runs on a bounded scheduler.
 */
public final class BucketProvisioner {

    private static final Logger LOG = LoggerFactory.getLogger(BucketProvisioner.class);

    private BucketProvisioner() {
    }

    /**
     * Makes the bucket match its configuration; blocking.
     *
     * @param connection a connected connection
     * @param bucket     the bucket's name on the server
     * @param config     its configuration
     * @return the bucket's status after provisioning
     * @throws BucketMismatchException when it exists with other settings and the policy is {@link MismatchPolicy#FAIL}
     * @throws KvServerException       when the server refuses to create or update it
     */
    public static KvBucketStatus provision(Connection connection, String bucket, KvBucketConfig config) {
        try {
            KeyValueManagement kvm = connection.keyValueManagement();
            KeyValueStatus existing;
            try {
                existing = kvm.getStatus(bucket);
            } catch (JetStreamApiException e) {
                if (e.getApiErrorCode() != Failures.STREAM_NOT_FOUND) {
                    throw e;
                }
                KeyValueStatus createdStatus = kvm.create(jnats(bucket, config));
                LOG.info("created KV bucket {} ({})", bucket, config);
                return JetStreamKvStore.status(bucket, createdStatus.getBackingStreamInfo());
            }
            KvBucketStatus current = JetStreamKvStore.status(bucket, existing.getBackingStreamInfo());
            List<String> differences = differences(config, current);
            if (differences.isEmpty()) {
                return current;
            }
            if (config.onMismatch() == MismatchPolicy.FAIL) {
                throw new BucketMismatchException(bucket, differences);
            }
            KeyValueStatus updated = kvm.update(jnats(bucket, config));
            LOG.warn("updated KV bucket {} to its configuration: {}", bucket, String.join("; ", differences));
            return JetStreamKvStore.status(bucket, updated.getBackingStreamInfo());
        } catch (JetStreamApiException e) {
            throw new KvServerException(bucket, KvOperation.PROVISION, null, e.getErrorCode(), e.getApiErrorCode(),
                    e.getErrorDescription(), e);
        } catch (IOException e) {
            throw new KvServerException(bucket, KvOperation.PROVISION, null, -1, -1, Redaction.text(String.valueOf(e.getMessage())), e);
        }
    }

    /** One line per setting that differs: {@code history: configured 5, on the server 1}. */
    static List<String> differences(KvBucketConfig config, KvBucketStatus server) {
        List<String> differences = new ArrayList<>();
        compare(differences, "ttl", config.ttl(), server.ttl());
        compare(differences, "replicas", config.replicas(), server.replicas());
        compare(differences, "storage", config.storage(), server.storage());
        compare(differences, "history", config.history(), server.history());
        compare(differences, "maxBucketSize", config.maxBucketSize(), server.maxBucketSize());
        compare(differences, "maxValueSize", config.maxValueSize(), server.maxValueSize());
        return differences;
    }

    private static void compare(List<String> differences, String setting, Object configured, Object onServer) {
        if (!configured.equals(onServer)) {
            differences.add(setting + ": configured " + show(configured) + ", on the server " + show(onServer));
        }
    }

    private static String show(Object value) {
        return value instanceof Duration d ? (d.isZero() ? "none" : d.toString()) : String.valueOf(value);
    }

    private static KeyValueConfiguration jnats(String bucket, KvBucketConfig config) {
        KeyValueConfiguration.Builder b = KeyValueConfiguration.builder()
                .name(bucket)
                .maxHistoryPerKey(config.history())
                .replicas(config.replicas())
                .storageType(config.storage() == KvStorage.MEMORY ? StorageType.Memory : StorageType.File)
                .maxBucketSize(config.maxBucketSize())
                .maxValueSize(config.maxValueSize());
        if (!config.ttl().isZero()) {
            b.ttl(config.ttl());
        }
        if (config.description() != null) {
            b.description(config.description());
        }
        return b.build();
    }
}
