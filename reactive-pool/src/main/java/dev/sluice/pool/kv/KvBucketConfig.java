package dev.sluice.pool.kv;

import dev.sluice.pool.config.ConfigException;
import dev.sluice.pool.config.ConfigProblem;
import dev.sluice.pool.config.Problems;
import dev.sluice.pool.config.Setting;
import dev.sluice.pool.config.Sizes;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

import static dev.sluice.pool.kv.ConfigValues.describeDuration;
import static dev.sluice.pool.kv.ConfigValues.describeSize;

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
    private static final long UNLIMITED = -1;

    /** How long an entry lives; 0 for ever. The variable is in minutes (its name says so); a bare number is minutes. */
    public static final Setting<Duration> TTL = Setting.duration("ttl", Duration.ZERO, Duration.ZERO, MAX_TTL)
            .bareNumberIn(ChronoUnit.MINUTES, d -> d).env("KV_TTL_MINUTES")
            .range("0 (no expiry), or 100ms to 3650 days")
            .doc("entry TTL; a bare number is minutes (`90`), or a duration (`90m`, `PT1H30M`)", "minutes or duration", "`0` (none)");
    /** Replicas of the bucket's stream. */
    public static final Setting<Integer> REPLICAS = Setting.integer("replicas", 1, 1, MAX_REPLICAS).env("KV_REPLICAS")
            .doc("replicas (more than 1 needs a JetStream cluster)", null, null);
    /** File or memory storage. */
    public static final Setting<KvStorage> STORAGE = Setting.enumeration("storage", KvStorage.class, KvStorage.FILE).env("KV_STORAGE")
            .doc("storage", null, "`file`");
    /** Maximum bucket size in bytes, -1 for unlimited. */
    public static final Setting<Long> MAX_BUCKET_SIZE = size("maxBucketSize", Long.MAX_VALUE).range("-1 (unlimited) or a positive size")
            .env("KV_MAX_SIZE")
            .doc("bucket size (1 KB = 1024 B), `-1` for unlimited", null, "`-1` (unlimited)");
    /** Maximum value size in bytes, -1 for unlimited. */
    public static final Setting<Long> MAX_VALUE_SIZE_SETTING = size("maxValueSize", MAX_VALUE_SIZE).env("KV_MAX_VALUE_SIZE")
            .doc("value size, `-1` for unlimited", null, "`-1` (unlimited)");
    /** Revisions kept per key. */
    public static final Setting<Integer> HISTORY = Setting.integer("history", 1, 1, MAX_HISTORY).env("KV_HISTORY")
            .doc("revisions kept per key", null, null);
    /** What start-up does with an existing bucket whose settings differ. */
    public static final Setting<MismatchPolicy> ON_MISMATCH = Setting.enumeration("onMismatch", MismatchPolicy.class, MismatchPolicy.FAIL)
            .env("KV_ON_MISMATCH").doc("what start does with an existing bucket that differs", null, "`fail`");
    /** Every declared setting of a bucket. */
    public static final List<Setting<?>> SETTINGS = List.of(TTL, REPLICAS, STORAGE, MAX_BUCKET_SIZE, MAX_VALUE_SIZE_SETTING,
            HISTORY, ON_MISMATCH);

    private static Setting<Long> size(String name, long max) {
        String range = max == Long.MAX_VALUE ? "-1 (unlimited) or a positive size" : "-1 (unlimited) or 1B to " + Sizes.format(max);
        return Setting.of(name, UNLIMITED, raw -> raw.trim().equals("-1") ? UNLIMITED : Sizes.parse(raw),
                v -> v == UNLIMITED || (v >= 1 && v <= max) ? null : "must be " + range + ", such as 1GB", range, "size")
                .redacting(raw -> raw, v -> v == UNLIMITED ? "-1" : Sizes.format(v));
    }

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
         * @throws ConfigException listing every invalid setting with its value and the accepted range
         */
        public KvBucketConfig build() {
            List<ConfigProblem> problems = problems();
            if (!problems.isEmpty()) {
                throw new ConfigException(problems);
            }
            return new KvBucketConfig(this);
        }

        Builder copy() {
            return new Builder().name(name).ttl(ttl).replicas(replicas).storage(storage).maxBucketSize(maxBucketSize)
                    .maxValueSize(maxValueSize).history(history).description(description).onMismatch(onMismatch);
        }

        List<ConfigProblem> problems() {
            return problems("bucket '" + name + "'", true);
        }

        List<ConfigProblem> problems(String scope, boolean checkName) {
            Problems p = new Problems(scope);
            if (checkName && (name == null || !NAME.matcher(name).matches())) {
                p.add("bucket name", name, "use letters, digits, '-' and '_' only");
            }
            p.check(TTL, ttl);
            if (ttl != null && !ttl.isNegative() && !ttl.isZero() && ttl.toMillis() < 100) {
                p.add(TTL, ttl, "is too short: at least 100ms, or 0 for no expiry");
            }
            p.check(REPLICAS, replicas);
            p.check(STORAGE, storage);
            p.check(MAX_BUCKET_SIZE, maxBucketSize);
            p.check(MAX_VALUE_SIZE_SETTING, maxValueSize);
            if (maxValueSize > 0 && maxBucketSize > 0 && maxValueSize > maxBucketSize) {
                p.add(MAX_VALUE_SIZE_SETTING, maxValueSize, "is larger than maxBucketSize = " + describeSize(maxBucketSize)
                        + ": a value must fit in the bucket");
            }
            p.check(HISTORY, history);
            p.check(ON_MISMATCH, onMismatch);
            return p.list();
        }
    }
}
