package dev.sluice.pool.kv;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

import static dev.sluice.pool.kv.ConfigValues.describeDuration;
import static dev.sluice.pool.kv.ConfigValues.describeSize;
import static dev.sluice.pool.kv.ConfigValues.label;

/**
 * The settings of one JetStream KV bucket: immutable, built with {@link #builder(String)}, validated when built.
 *
 * <p>The name is the logical name that {@link KvStores#store(String)} takes; the bucket on the server is named
 * {@link NatsConfig#bucketPrefix()} followed by it. Defaults: no TTL, 1 replica, file storage, unlimited bucket and
 * value size, history 1, {@link MismatchPolicy#FAIL}.
 */
public final class KvBucketConfig {

    /** Largest history JetStream keeps per key. */
    public static final int MAX_HISTORY = 64;
    /** Largest replica count of a JetStream stream. */
    public static final int MAX_REPLICAS = 5;
    /** Longest TTL accepted: ten years. */
    public static final Duration MAX_TTL = Duration.ofDays(3650);
    /** Largest value size accepted: 64 MB (the server's own maximum payload may be lower, 1 MB by default). */
    public static final long MAX_VALUE_SIZE = 64L * 1024 * 1024;

    static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");

    private final String name;
    private final Duration ttl;
    private final int replicas;
    private final KvStorage storage;
    private final long maxBucketSize;
    private final long maxValueSize;
    private final int history;
    private final String description;
    private final MismatchPolicy onMismatch;

    private KvBucketConfig(Builder b) {
        this.name = b.name;
        this.ttl = b.ttl;
        this.replicas = b.replicas;
        this.storage = b.storage;
        this.maxBucketSize = b.maxBucketSize;
        this.maxValueSize = b.maxValueSize;
        this.history = b.history;
        this.description = b.description;
        this.onMismatch = b.onMismatch;
    }

    /** A builder for the bucket with this logical name, starting from the defaults. */
    public static Builder builder(String name) {
        return new Builder().name(name);
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        return new Builder().name(name).ttl(ttl).replicas(replicas).storage(storage).maxBucketSize(maxBucketSize)
                .maxValueSize(maxValueSize).history(history).description(description).onMismatch(onMismatch);
    }

    /** The logical name (without the prefix). */
    public String name() {
        return name;
    }

    /** How long an entry lives; {@link Duration#ZERO} for ever. */
    public Duration ttl() {
        return ttl;
    }

    /** Number of replicas of the bucket's stream (1-5; more than 1 needs a JetStream cluster). */
    public int replicas() {
        return replicas;
    }

    /** File or memory storage. */
    public KvStorage storage() {
        return storage;
    }

    /** Maximum size of the bucket in bytes; -1 for unlimited. */
    public long maxBucketSize() {
        return maxBucketSize;
    }

    /** Maximum size of one value in bytes; -1 for unlimited. */
    public long maxValueSize() {
        return maxValueSize;
    }

    /** Number of revisions kept per key (1-64). */
    public int history() {
        return history;
    }

    /** A description stored with the bucket, or null. */
    public String description() {
        return description;
    }

    /** What start-up does when the existing bucket's settings differ. */
    public MismatchPolicy onMismatch() {
        return onMismatch;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KvBucketConfig c && name.equals(c.name) && ttl.equals(c.ttl) && replicas == c.replicas
                && storage == c.storage && maxBucketSize == c.maxBucketSize && maxValueSize == c.maxValueSize
                && history == c.history && Objects.equals(description, c.description) && onMismatch == c.onMismatch;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, ttl, replicas, storage, maxBucketSize, maxValueSize, history, description, onMismatch);
    }

    @Override
    public String toString() {
        return "KvBucketConfig[" + name + " ttl=" + (ttl.isZero() ? "none" : describeDuration(ttl)) + " replicas=" + replicas
                + " storage=" + storage + " maxBucketSize=" + describeSize(maxBucketSize) + " maxValueSize="
                + describeSize(maxValueSize) + " history=" + history + " onMismatch=" + onMismatch + "]";
    }

    /** Settings of one bucket; {@link #build()} validates them all at once. */
    public static final class Builder {
        private String name;
        private Duration ttl = Duration.ZERO;
        private int replicas = 1;
        private KvStorage storage = KvStorage.FILE;
        private long maxBucketSize = -1;
        private long maxValueSize = -1;
        private int history = 1;
        private String description;
        private MismatchPolicy onMismatch = MismatchPolicy.FAIL;

        private Builder() {
        }

        /** The logical name: letters, digits, {@code -} and {@code _}. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** How long an entry lives; {@link Duration#ZERO} (the default) for ever. */
        public Builder ttl(Duration ttl) {
            this.ttl = ttl;
            return this;
        }

        /** Replicas of the bucket's stream, 1-5 (default 1). */
        public Builder replicas(int replicas) {
            this.replicas = replicas;
            return this;
        }

        /** File (default) or memory storage. */
        public Builder storage(KvStorage storage) {
            this.storage = storage;
            return this;
        }

        /** Maximum bucket size in bytes; -1 (the default) for unlimited. */
        public Builder maxBucketSize(long bytes) {
            this.maxBucketSize = bytes;
            return this;
        }

        /** Maximum value size in bytes; -1 (the default) for unlimited. */
        public Builder maxValueSize(long bytes) {
            this.maxValueSize = bytes;
            return this;
        }

        /** Revisions kept per key, 1-64 (default 1). */
        public Builder history(int history) {
            this.history = history;
            return this;
        }

        /** A description stored with the bucket. */
        public Builder description(String description) {
            this.description = description;
            return this;
        }

        /** What start-up does when the existing bucket differs (default {@link MismatchPolicy#FAIL}). */
        public Builder onMismatch(MismatchPolicy onMismatch) {
            this.onMismatch = onMismatch;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws NatsConfigException listing every invalid setting with its value and the accepted range
         */
        public KvBucketConfig build() {
            List<String> problems = problems();
            if (!problems.isEmpty()) {
                throw new NatsConfigException(problems);
            }
            return new KvBucketConfig(this);
        }

        private static String describeTtl(Duration ttl) {
            if (ttl == null) {
                return "null";
            }
            return ttl.toMillis() % 60_000 == 0 ? ttl.toMinutes() + " minutes" : ttl.toMillis() + "ms";
        }

        Builder copy() {
            return new Builder().name(name).ttl(ttl).replicas(replicas).storage(storage).maxBucketSize(maxBucketSize)
                    .maxValueSize(maxValueSize).history(history).description(description).onMismatch(onMismatch);
        }

        List<String> problems() {
            return problems("bucket '" + name + "': ", true);
        }

        List<String> problems(String where, boolean checkName) {
            List<String> problems = new ArrayList<>();
            if (checkName && (name == null || !NAME.matcher(name).matches())) {
                problems.add("bucket name '" + name + "' is invalid: use letters, digits, '-' and '_' only");
            }
            if (ttl == null || ttl.isNegative() || ttl.compareTo(MAX_TTL) > 0) {
                problems.add(where + label("ttl", "NATS_KV_TTL_MINUTES") + " = " + describeTtl(ttl) + " is out of range: 0 (no expiry) to "
                        + MAX_TTL.toMinutes() + " minutes");
            } else if (!ttl.isZero() && ttl.toMillis() < 100) {
                problems.add(where + label("ttl", "NATS_KV_TTL_MINUTES") + " = " + describeTtl(ttl) + " is too short: at least 100ms, or 0 for no expiry");
            }
            if (replicas < 1 || replicas > MAX_REPLICAS) {
                problems.add(where + label("replicas", "NATS_KV_REPLICAS") + " = " + replicas + " is out of range: 1 to " + MAX_REPLICAS);
            }
            if (storage == null) {
                problems.add(where + label("storage", "NATS_KV_STORAGE") + " is missing: FILE or MEMORY");
            }
            if (maxBucketSize == 0 || maxBucketSize < -1) {
                problems.add(where + label("maxBucketSize", "NATS_KV_MAX_SIZE") + " = " + maxBucketSize
                        + " is out of range: -1 (unlimited) or a positive number of bytes, such as 1GB");
            }
            if (maxValueSize == 0 || maxValueSize < -1 || maxValueSize > MAX_VALUE_SIZE) {
                problems.add(where + label("maxValueSize", "NATS_KV_MAX_VALUE_SIZE") + " = " + maxValueSize
                        + " is out of range: -1 (unlimited) or 1 to " + MAX_VALUE_SIZE + " bytes (64MB)");
            } else if (maxValueSize > 0 && maxBucketSize > 0 && maxValueSize > maxBucketSize) {
                problems.add(where + "maxValueSize = " + describeSize(maxValueSize) + " is larger than maxBucketSize = "
                        + describeSize(maxBucketSize) + ": a value must fit in the bucket");
            }
            if (history < 1 || history > MAX_HISTORY) {
                problems.add(where + label("history", "NATS_KV_HISTORY") + " = " + history + " is out of range: 1 to " + MAX_HISTORY);
            }
            if (onMismatch == null) {
                problems.add(where + label("onMismatch", "NATS_KV_ON_MISMATCH") + " is missing: FAIL or UPDATE");
            }
            return problems;
        }
    }
}
