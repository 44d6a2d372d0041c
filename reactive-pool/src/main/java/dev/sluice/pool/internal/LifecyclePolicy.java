package dev.sluice.pool.internal;

import dev.sluice.pool.PgPoolConfig;
import io.r2dbc.spi.Connection;
import reactor.pool.PooledRefMetadata;

import java.util.function.BiPredicate;
import java.util.function.IntSupplier;

/**
 * Decides when a pooled connection is closed, replacing r2dbc-pool's own rule (which has neither jitter,
 * use counts nor a floor). A connection is closed when, in this order:
 * <ol>
 *   <li>it has been used {@code recycleAfterUses} times (when that is set);</li>
 *   <li>it has lived past its own lifetime: {@code maxLifetime} shortened by a per-connection fraction of up
 *       to {@code lifetimeJitter}, derived from the connection's identity, so connections opened together do
 *       not expire together;</li>
 *   <li>it has been idle for {@code idleTimeout} and the pool holds more than {@code minConnections}
 *       (idle eviction never takes the pool below its minimum).</li>
 * </ol>
 * reactor-pool evaluates it when a connection is released, before an idle one is handed out, and in its
 * background sweep (one sweep at a time, so the size check is exact).
 */
public final class LifecyclePolicy implements BiPredicate<Connection, PooledRefMetadata> {

    private final long maxLifetimeMillis;
    private final double jitter;
    private final long idleTimeoutMillis;
    private final int recycleAfterUses;
    private final int minConnections;
    private final PoolCounters counters;
    private volatile IntSupplier poolSize = () -> Integer.MAX_VALUE;

    public LifecyclePolicy(PgPoolConfig config, PoolCounters counters) {
        this.maxLifetimeMillis = config.maxLifetime().toMillis();
        this.jitter = config.lifetimeJitter();
        this.idleTimeoutMillis = config.idleTimeout().toMillis();
        this.recycleAfterUses = config.recycleAfterUses();
        this.minConnections = config.minConnections();
        this.counters = counters;
    }

    /** Tells the policy how to read the pool's current size (idle plus acquired), once the pool exists. */
    public void poolSize(IntSupplier poolSize) {
        this.poolSize = poolSize;
    }

    @Override
    public boolean test(Connection connection, PooledRefMetadata metadata) {
        if (recycleAfterUses > 0 && metadata.acquireCount() >= recycleAfterUses) {
            counters.connectionRecycled();
            return true;
        }
        if (metadata.lifeTime() >= lifetimeMillis(connection)) {
            counters.connectionExpired();
            return true;
        }
        if (metadata.idleTime() >= idleTimeoutMillis && poolSize.getAsInt() > minConnections) {
            counters.connectionIdleEvicted();
            return true;
        }
        return false;
    }

    /** The lifetime of this connection: {@code maxLifetime × (1 − jitter × u)} with {@code u} in [0, 1) from its identity. */
    public long lifetimeMillis(Object connection) {
        if (jitter == 0) {
            return maxLifetimeMillis;
        }
        long h = System.identityHashCode(connection) * 0x9E3779B97F4A7C15L;
        double u = ((h >>> 11) & ((1L << 53) - 1)) / (double) (1L << 53);
        return (long) (maxLifetimeMillis * (1 - jitter * u));
    }
}
