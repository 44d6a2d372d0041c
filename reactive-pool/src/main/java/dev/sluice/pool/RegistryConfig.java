package dev.sluice.pool;

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

    private final List<PgPoolConfig> pools;
    private final int appInstances;
    private final double safeConnectionShare;
    private final boolean capacityCheck;
    private final java.time.Duration healthPeriod;
    private final java.time.Duration healthTimeout;
    private final dev.sluice.pool.kv.NatsConfig kv;

    private RegistryConfig(Builder b) {
        this.pools = List.copyOf(b.pools);
        this.appInstances = b.appInstances;
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
            this.appInstances = appInstances;
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
         * @throws ConfigException when there is no pool, two pools share a name, more than one pool is
         *                         {@link PoolRole#PRIMARY}, or a number is out of range
         */
        public RegistryConfig build() {
            if (pools.isEmpty() && kv == null) {
                throw new ConfigException("pools", "a registry needs at least one pool or KV configuration: add one with pool(PgPoolConfig) or kv(NatsConfig)");
            }
            Set<String> names = new HashSet<>();
            int primaries = 0;
            for (PgPoolConfig pool : pools) {
                if (!names.add(pool.name())) {
                    throw new ConfigException("pools", pool.name(), "two pools are named '" + pool.name() + "'; pool names must be unique");
                }
                if (pool.role() == PoolRole.PRIMARY) {
                    primaries++;
                }
            }
            if (primaries > 1) {
                throw new ConfigException("pools", primaries + " pools have role PRIMARY; at most one may (give the others REPLICA, BACKGROUND or ANALYTICS)");
            }
            if (appInstances < 1 || appInstances > 10_000) {
                throw new ConfigException("appInstances", appInstances, "must be between 1 and 10000");
            }
            if (!(safeConnectionShare > 0 && safeConnectionShare <= 1)) {
                throw new ConfigException("safeConnectionShare", safeConnectionShare, "must be above 0 and at most 1, such as 0.8");
            }
            if (healthPeriod == null || healthPeriod.toMillis() < 10 || healthPeriod.compareTo(java.time.Duration.ofHours(1)) > 0) {
                throw new ConfigException("healthPeriod", healthPeriod, "must be between 10 ms and 1 h");
            }
            if (healthTimeout == null || healthTimeout.toMillis() < 1 || healthTimeout.compareTo(java.time.Duration.ofMinutes(1)) > 0) {
                throw new ConfigException("healthTimeout", healthTimeout, "must be between 1 ms and 1 min");
            }
            return new RegistryConfig(this);
        }
    }
}
