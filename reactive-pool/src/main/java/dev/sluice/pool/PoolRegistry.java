package dev.sluice.pool;

import dev.sluice.pool.internal.CapacityCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.sluice.pool.internal.ServerConnections;
import dev.sluice.pool.internal.PoolCounters;
import org.reactivestreams.Publisher;
import dev.sluice.pool.kv.KvStore;
import dev.sluice.pool.kv.KvStores;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The application's named PostgreSQL pools. An ordinary object: the application creates it, starts it and
 * closes it; any number may live in one JVM.
 *
 * <pre>{@code
 * PoolRegistry registry = PoolRegistry.create(RegistryConfig.builder()
 *         .pool(PgPoolConfig.builder("primary").host("db").user("app").password(secret).build())
 *         .pool(PgPoolConfig.builder("analytics").role(PoolRole.ANALYTICS).host("db").user("app")
 *                 .serverSetting("work_mem", "256MB").maxConnections(4).build())
 *         .appInstances(3)
 *         .build());
 * registry.start().block();
 * registry.pool("primary").query("SELECT name FROM users", row -> row.get(0, String.class));
 * registry.close();
 * }</pre>
 */
public final class PoolRegistry implements Lifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(PoolRegistry.class);

    private final RegistryConfig config;
    private final Map<String, PgPool> pools = new LinkedHashMap<>();
    private final Routing routing;
    private final KvStores kv;

    private PoolRegistry(RegistryConfig config) {
        this.config = config;
        for (PgPoolConfig pool : config.pools()) {
            pools.put(pool.name(), PgPool.create(pool));
        }
        this.kv = config.kv().map(KvStores::create).orElse(null);
        this.routing = new Routing(pools(PoolRole.PRIMARY).stream().findFirst().orElse(null), pools(PoolRole.REPLICA),
                config.healthPeriod(), config.healthTimeout());
    }

    /** Creates the registry's pools without opening any connection. */
    public static PoolRegistry create(RegistryConfig config) {
        return new PoolRegistry(config);
    }

    /** The configuration. */
    public RegistryConfig config() {
        return config;
    }

    /** The log line of {@link #start()} that states the instance count the capacity check assumes, and its source. */
    String assumedInstancesMessage() {
        return "capacity check assumes " + config.appInstances() + " application instance(s), from "
                + config.appInstancesSource() + (config.appInstancesSource().equals(RegistryConfig.DEFAULT_SOURCE)
                ? "; declare the real count with SLUICE_APP_INSTANCES or RegistryConfig.Builder.appInstances" : "");
    }

    private void logAssumedInstances() {
        if (config.appInstancesSource().equals(RegistryConfig.DEFAULT_SOURCE)) {
            LOG.warn(assumedInstancesMessage());
        } else {
            LOG.info(assumedInstancesMessage());
        }
    }

    /**
     * Starts the registry. Cold: on subscription it checks capacity (when enabled), reading each server's
     * {@code max_connections}, then warms every pool to its minimum, all pools in parallel.
     *
     * When KV is configured, the NATS connections open and the buckets are provisioned at the same time as
     * the warm-up.
     *
     * The registry logs the application instance count the capacity check assumes, and where it came from.
     *
     * @return completes when every pool holds its minimum (and the KV stores are ready); fails with
     *         {@link CapacityException} when the sizes are unsafe, or with the server's error when a pool
     *         cannot connect, or with the KV stores' error
     */
    @Override
    public Mono<Void> start() {
        // the capacity check multiplies by this count: an assumed 1 hides a fleet, so say where it came from
        Mono<Void> capacity = config.capacityCheck()
                ? Mono.fromRunnable(this::logAssumedInstances).then(CapacityCheck.check(config, pool -> new ServerConnections(pool, new PoolCounters()).createUnpooled()))
                : Mono.empty();
        Mono<Void> warm = Flux.fromIterable(pools.values()).flatMap(PgPool::warmup, Math.max(1, pools.size())).then();
        Mono<Void> stores = kv == null ? Mono.empty() : kv.start();
        return capacity.then(Mono.when(warm, stores));
    }

    /**
     * The pool with this name.
     *
     * @throws IllegalArgumentException naming the pool and the pools that exist
     */
    public PgPool pool(String name) {
        PgPool pool = pools.get(name);
        if (pool == null) {
            throw new IllegalArgumentException("no pool named '" + name + "'; the pools are " + pools.keySet());
        }
        return pool;
    }

    /** The pool with this name, if any. */
    public Optional<PgPool> findPool(String name) {
        return Optional.ofNullable(pools.get(name));
    }

    /** Every pool, in declaration order. */
    public List<PgPool> pools() {
        return List.copyOf(pools.values());
    }

    /** The pools with this role, in declaration order. */
    public List<PgPool> pools(PoolRole role) {
        return pools.values().stream().filter(p -> p.role() == role).toList();
    }

    /**
     * The pool for writes: the primary.
     *
     * @throws IllegalStateException when no pool has role {@link PoolRole#PRIMARY}
     */
    public PgPool writes() {
        return routing.writes();
    }

    /**
     * The pool for a read: a healthy replica, round-robin; the primary when no replica is healthy. Cold;
     * health results are cached for {@link RegistryConfig#healthPeriod()} and re-checked (with
     * {@link RegistryConfig#healthTimeout()}) when older.
     *
     * @return fails at once with {@link NoHealthyPoolException}, listing each pool's state, when no pool is healthy
     */
    public Mono<PgPool> reads() {
        return routing.reads();
    }

    /**
     * Runs a read on the pool {@link #reads()} chooses. Cold. A connection-class failure marks that pool
     * unhealthy at once, so the next reads go elsewhere; the failure itself reaches the caller (give the
     * work a {@link RetryPolicy} through {@link PgPool#withRetry} to re-run it).
     */
    public <T> Flux<T> read(Function<? super PgPool, ? extends Publisher<T>> work) {
        return routing.read(work);
    }

    /** Runs a write on the primary. Cold; same failure handling as {@link #read(Function)}. */
    public <T> Flux<T> write(Function<? super PgPool, ? extends Publisher<T>> work) {
        return routing.write(work);
    }

    /**
     * The KV stores of the registry.
     *
     * @throws IllegalStateException when the registry has no KV configuration
     */
    public KvStores kv() {
        if (kv == null) {
            throw new IllegalStateException("this registry has no KV stores: add RegistryConfig.builder().kv(NatsConfig)");
        }
        return kv;
    }

    /** The KV store named {@code name} (see {@link KvStores#store(String)}). */
    public KvStore kv(String name) {
        return kv().store(name);
    }

    /** A statistics snapshot of every pool. */
    public List<PoolStats> stats() {
        return pools.values().stream().map(PgPool::stats).toList();
    }

    /**
     * Shuts every pool down gracefully, in parallel (see {@link PgPool#stop()}), and the KV stores. Cold and
     * idempotent; completes when all are closed.
     */
    @Override
    public Mono<Void> stop() {
        Mono<Void> stores = kv == null ? Mono.empty() : kv.stop();
        return Mono.when(Flux.fromIterable(pools.values()).flatMap(PgPool::stop, Math.max(1, pools.size())).then(), stores);
    }

    /** Blocking {@link #stop()}, waiting at most the longest grace period plus 10 seconds. */
    @Override
    public void close() {
        Duration longest = pools.values().stream().map(p -> p.config().shutdownGracePeriod()).max(Duration::compareTo).orElse(Duration.ZERO);
        stop().block(longest.plusSeconds(10));
    }

    @Override
    public String toString() {
        return "PoolRegistry" + pools.keySet() + (kv == null ? "" : " " + kv);
    }
}
