package dev.sluice.pool;

import dev.sluice.pool.config.ConfigException;
import dev.sluice.pool.config.Problems;
import dev.sluice.pool.config.Setting;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The pools of one {@link PoolRegistry} and the rules checked when it starts: immutable, made by
 * {@link #builder()}, validated by {@link Builder#build()}.
 *
 * <p>The capacity check: for each PostgreSQL server (host and port), the sum of the maxima of the pools that
 * use it, times {@link #appInstances()}, must not exceed {@link #safeConnectionShare()} of the connections
 * the server lets ordinary users open ({@code max_connections - superuser_reserved_connections -
 * reserved_connections}).
 */
public final class RegistryConfig {

    /** Declared number of application instances. */
    public static final Setting<Integer> APP_INSTANCES = Setting.integer("appInstances", 1, 1, 10_000).env("APP_INSTANCES")
            .doc("instances of the application sharing the servers", null, null);
    /** Share of the servers' usable connections all instances may take. */
    public static final Setting<Double> SAFE_CONNECTION_SHARE = Setting.of("safeConnectionShare", 0.8, RegistryConfig::share,
                    v -> v > 0 && v <= 1 ? null : "must be above 0 and at most 1, as a fraction (0.8) or a percentage (80%)",
                    "above 0, at most 1", "fraction or percentage (`0.8`, `80%`)")
            .env("SAFE_CONNECTION_SHARE").doc("share of the servers' usable connections all instances may take", null, null);
    /** Whether start-up checks the pools' sizes against {@code max_connections}. */
    public static final Setting<Boolean> CAPACITY_CHECK = Setting.bool("capacityCheck", true).env("CAPACITY_CHECK")
            .doc("check pool sizes against `max_connections` at start", null, null);
    /** How long a routing health result is trusted. */
    public static final Setting<Duration> HEALTH_PERIOD = Setting.duration("healthPeriod", Duration.ofSeconds(30),
            Duration.ofMillis(10), Duration.ofHours(1));
    /** Time limit of one routing health check. */
    public static final Setting<Duration> HEALTH_TIMEOUT = Setting.duration("healthTimeout", Duration.ofSeconds(2),
            Duration.ofMillis(1), Duration.ofMinutes(1));
    /** Every declared setting of a registry. */
    public static final List<Setting<?>> SETTINGS = List.of(APP_INSTANCES, SAFE_CONNECTION_SHARE, CAPACITY_CHECK,
            HEALTH_PERIOD, HEALTH_TIMEOUT);
    /** {@link #appInstancesSource()} when nothing set the count. */
    public static final String DEFAULT_SOURCE = "the default: neither RegistryConfig.Builder.appInstances nor SLUICE_APP_INSTANCES was set";

    private static double share(String raw) {
        String text = raw.trim();
        boolean percent = text.endsWith("%");
        String number = percent ? text.substring(0, text.length() - 1).trim() : text;
        if (!number.matches("[0-9]{1,6}(\\.[0-9]{1,9})?|\\.[0-9]{1,9}")) {
            throw new IllegalArgumentException("must be above 0 and at most 1, as a fraction (0.8) or a percentage (80%)");
        }
        double value = Double.parseDouble(number);
        return percent ? value / 100 : value;
    }

    private final List<PgPoolConfig> pools;
    private final int appInstances;
    private final String appInstancesSource;
    private final double safeConnectionShare;
    private final boolean capacityCheck;
    private final java.time.Duration healthPeriod;
    private final java.time.Duration healthTimeout;
    private final dev.sluice.pool.kv.NatsConfig kv;

    private RegistryConfig(Builder b) {
        this.pools = List.copyOf(b.pools);
        this.appInstances = b.appInstances;
        this.appInstancesSource = b.appInstancesSource;
        this.safeConnectionShare = b.safeConnectionShare;
        this.capacityCheck = b.capacityCheck;
        this.healthPeriod = b.healthPeriod;
        this.healthTimeout = b.healthTimeout;
        this.kv = b.kv;
    }

    /** The NATS connections and JetStream KV buckets of the registry, if any. */
    public java.util.Optional<dev.sluice.pool.kv.NatsConfig> kv() {
        return java.util.Optional.ofNullable(kv);
    }

    /** A builder with no pools, one app instance, a safe share of 0.8 and the capacity check on. */
    public static Builder builder() {
        return new Builder();
    }

    /** The pools, in declaration order. */
    public List<PgPoolConfig> pools() {
        return pools;
    }

    /** How many instances of the application run against the same servers (each has these pools). */
    public int appInstances() {
        return appInstances;
    }

    /**
     * Where {@link #appInstances()} came from: {@code RegistryConfig.Builder.appInstances}, the environment variable
     * that set it, or {@link #DEFAULT_SOURCE}. The registry logs the count and this at start, because a count
     * assumed rather than declared makes the capacity check too lenient by the number of instances.
     */
    public String appInstancesSource() {
        return appInstancesSource;
    }

    /** Fraction of the server's usable connections all instances together may take. */
    public double safeConnectionShare() {
        return safeConnectionShare;
    }

    /** Whether start-up checks the pools' sizes against the servers' {@code max_connections}. */
    public boolean capacityCheck() {
        return capacityCheck;
    }

    /** How long a routing health check result is trusted before the pool is checked again. */
    public java.time.Duration healthPeriod() {
        return healthPeriod;
    }

    /** Time limit of one routing health check ({@code SELECT 1}, acquire included). */
    public java.time.Duration healthTimeout() {
        return healthTimeout;
    }

    @Override
    public String toString() {
        return "RegistryConfig[pools=" + pools + ", appInstances=" + appInstances + ", safeConnectionShare="
                + safeConnectionShare + ", capacityCheck=" + capacityCheck + ", healthPeriod=" + healthPeriod
                + ", healthTimeout=" + healthTimeout + "]";
    }

    /** Builds a {@link RegistryConfig}. */
    public static final class Builder {
        private final List<PgPoolConfig> pools = new ArrayList<>();
        private int appInstances = 1;
        private String appInstancesSource = DEFAULT_SOURCE;
        private double safeConnectionShare = 0.8;
        private boolean capacityCheck = true;
        private java.time.Duration healthPeriod = java.time.Duration.ofSeconds(30);
        private java.time.Duration healthTimeout = java.time.Duration.ofSeconds(2);
        private dev.sluice.pool.kv.NatsConfig kv;

        private Builder() {
        }

        /** Adds NATS connections and JetStream KV buckets, started and closed with the pools. */
        public Builder kv(dev.sluice.pool.kv.NatsConfig kv) {
            this.kv = kv;
            return this;
        }

        /** How long a routing health result is trusted, 10 ms to 1 h; 30 s by default. */
        public Builder healthPeriod(java.time.Duration healthPeriod) {
            this.healthPeriod = healthPeriod;
            return this;
        }

        /** Time limit of one routing health check, 1 ms to 1 min; 2 s by default. */
        public Builder healthTimeout(java.time.Duration healthTimeout) {
            this.healthTimeout = healthTimeout;
            return this;
        }

        /** Adds a pool. */
        public Builder pool(PgPoolConfig pool) {
            pools.add(pool);
            return this;
        }

        /** Adds pools. */
        public Builder pools(List<PgPoolConfig> pools) {
            this.pools.addAll(pools);
            return this;
        }

        /** Declared number of application instances, 1 to 10,000; 1 by default. */
        public Builder appInstances(int appInstances) {
            return appInstances(appInstances, "RegistryConfig.Builder.appInstances");
        }

        /** Declared number of application instances, and where the number came from (for the start-up log). */
        public Builder appInstances(int appInstances, String source) {
            this.appInstances = appInstances;
            this.appInstancesSource = java.util.Objects.requireNonNull(source, "source");
            return this;
        }

        /** Share of the usable connections all instances may take, above 0 and at most 1; 0.8 by default. */
        public Builder safeConnectionShare(double safeConnectionShare) {
            this.safeConnectionShare = safeConnectionShare;
            return this;
        }

        /** Turns the start-up capacity check on (the default) or off. */
        public Builder capacityCheck(boolean capacityCheck) {
            this.capacityCheck = capacityCheck;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws ConfigException listing every problem: no pool, two pools sharing a name, more than one pool
         *                         {@link PoolRole#PRIMARY}, a number out of range
         */
        public RegistryConfig build() {
            Problems p = new Problems("registry");
            if (pools.isEmpty() && kv == null) {
                p.add("pools", null, "a registry needs at least one pool or KV configuration: add one with pool(PgPoolConfig) or kv(NatsConfig)");
            }
            Set<String> names = new HashSet<>();
            int primaries = 0;
            for (PgPoolConfig pool : pools) {
                if (!names.add(pool.name())) {
                    p.add("pools", pool.name(), "two pools are named '" + pool.name() + "'; pool names must be unique");
                }
                if (pool.role() == PoolRole.PRIMARY) {
                    primaries++;
                }
            }
            if (primaries > 1) {
                p.add("pools", primaries + " PRIMARY pools", "at most one pool may have role PRIMARY (give the others REPLICA, BACKGROUND or ANALYTICS)");
            }
            p.check(APP_INSTANCES, appInstances);
            p.check(SAFE_CONNECTION_SHARE, safeConnectionShare);
            p.check(HEALTH_PERIOD, healthPeriod);
            p.check(HEALTH_TIMEOUT, healthTimeout);
            p.throwIfAny();
            return new RegistryConfig(this);
        }
    }
}
