package dev.sluice.pool.kv;

import dev.sluice.pool.loop.TimedLoop;
import dev.sluice.pool.Lifecycle;
import dev.sluice.pool.kv.internal.BucketProvisioner;
import dev.sluice.pool.kv.internal.ConnectionEvents;
import dev.sluice.pool.kv.internal.JetStreamKvStore;
import dev.sluice.pool.kv.internal.NatsConnectionPool;
import dev.sluice.pool.kv.internal.PooledConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The JetStream KV side of Sluice: a small pool of NATS connections and the named {@link KvStore}s on it, made from
 * one {@link NatsConfig}. An application creates one, starts it, and closes it; it is not a singleton.
 *
 * <pre>{@code
 * KvStores kv = KvStores.create(NatsConfig.fromEnvironment(System.getenv()));
 * kv.start().block();                                   // connects, creates or checks the buckets
 * KvStore sessions = kv.store("sessions");
 * sessions.put("user.42", "{\"cart\":3}").subscribe();
 * kv.events().subscribe(e -> log.info("NATS {}", e));   // connected, disconnected, reconnected, ...
 * kv.close();
 * }</pre>
 *
 * <p>Its lifecycle has the same shape as Sluice's PostgreSQL pool registry ({@code create}, cold {@code start()},
 * cold {@code shutdown()}, blocking {@code close()}), so a registry holds it with one call and starts and stops it
 * with its pools.
 *
 * <p>Opening connections, provisioning buckets and closing block inside jnats (it has no asynchronous form of
 * them) and run on Reactor's bounded-elastic scheduler; the operations of the stores never block.
 */
public final class KvStores implements Lifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(KvStores.class);

    private final NatsConfig config;
    private final ConnectionEvents events;
    private Mono<Void> starting;
    private volatile NatsConnectionPool pool;
    private volatile Map<String, JetStreamKvStore> stores = Map.of();
    private volatile Disposable roundTrips;
    private volatile boolean closed;
    private Mono<Void> closing;

    private KvStores(NatsConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.events = new ConnectionEvents(config.eventBufferSize());
    }

    /** Creates the stores without connecting; see {@link #start()}. */
    public static KvStores create(NatsConfig config) {
        return new KvStores(config);
    }

    /** The configuration. */
    public NatsConfig config() {
        return config;
    }

    /**
     * Connects the pool and provisions every configured bucket: a missing bucket is created with its settings; an
     * existing one is compared with them and, when it differs, reported ({@link MismatchPolicy#FAIL}) or updated
     * ({@link MismatchPolicy#UPDATE}).
     *
     * <p>Cold and idempotent: nothing happens until subscription; a second subscription while starting joins the
     * first, and after success completes at once. After a failure every connection opened is closed again and a new
     * subscription starts afresh. Cancelling does not stop a start under way ({@link #stop()} does).
     *
     * @return a Mono completing when the stores are usable; failing with {@link NotConnectedException} when no
     *         connection can be made, {@link BucketMismatchException} when a bucket differs and may not be updated,
     *         {@link KvServerException} when the server refuses to create or update a bucket, or
     *         {@link IllegalStateException} when the stores were closed
     */
    public Mono<Void> start() {
        return Mono.defer(() -> {
            synchronized (this) {
                if (closed) {
                    return Mono.error(new IllegalStateException("these KV stores are closed; create new ones"));
                }
                if (starting == null) {
                    starting = Mono.<Void>fromRunnable(this::connectAndProvision)
                            .subscribeOn(Schedulers.boundedElastic())
                            .doOnError(e -> {
                                synchronized (this) {
                                    starting = null;
                                }
                            })
                            .cache();
                }
                return starting;
            }
        });
    }

    private void connectAndProvision() {
        NatsConnectionPool opened = NatsConnectionPool.open(config, events);
        try {
            Map<String, JetStreamKvStore> made = new LinkedHashMap<>();
            for (KvBucketConfig bucket : config.buckets()) {
                String serverName = config.serverBucketName(bucket.name());
                KvBucketStatus status = BucketProvisioner.provision(opened.connections().get(0).connection(), serverName, bucket);
                made.put(bucket.name(), new JetStreamKvStore(bucket.name(), serverName, status.allowDirect(), opened, config.requestTimeout()));
            }
            synchronized (this) {
                if (closed) {
                    throw new IllegalStateException("these KV stores were closed while starting");
                }
                pool = opened;
                stores = Collections.unmodifiableMap(made);
                if (!config.roundTripInterval().isZero()) {
                    roundTrips = TimedLoop.every(config.roundTripInterval(), "NATS round-trip measurement", LOG)
                            .start(this::measureRoundTrips);
                }
            }
        } catch (RuntimeException e) {
            opened.close();
            throw e;
        }
        LOG.info("KV stores started: {} connection(s), buckets {}", config.connections(), stores.keySet());
    }

    /**
     * The store of a configured bucket, by logical name.
     *
     * @throws IllegalStateException    when the stores are not started (or closed)
     * @throws IllegalArgumentException naming the configured buckets when there is no such bucket
     */
    public KvStore store(String name) {
        Map<String, JetStreamKvStore> current = stores;
        if (pool == null) {
            throw new IllegalStateException("KV stores are not started: subscribe to start() first");
        }
        KvStore store = current.get(name);
        if (store == null) {
            throw new IllegalArgumentException("no KV bucket named '" + name + "' is configured; the buckets are " + current.keySet());
        }
        return store;
    }

    /** Every store, by logical name, in configuration order (empty before start). */
    public Map<String, KvStore> stores() {
        return Collections.unmodifiableMap(stores);
    }

    /**
     * Connection events of every connection of the pool: connected, disconnected, reconnected, resubscribed,
     * discovered servers, lame duck, closed, errors, exceptions, slow consumers and discarded messages.
     *
     * <p>Hot and shared: subscribers see the events that happen after they subscribe, except that events before the
     * first subscriber (such as CONNECTED at start) are kept for it, up to {@link NatsConfig#eventBufferSize()}.
     * Events are kept for slow subscribers up to the same bound, then dropped and counted in
     * {@link KvStoresStats#droppedEvents()}; jnats' threads never wait. Completes after {@link #stop()}.
     * Cancelling only ends that subscriber's view.
     */
    public Flux<NatsConnectionEvent> events() {
        return events.flux();
    }

    /** A snapshot of the connections and stores; cheap, never blocks. */
    public KvStoresStats stats() {
        NatsConnectionPool current = pool;
        List<ConnectionStats> connections = current == null ? List.of()
                : current.connections().stream().map(PooledConnection::stats).toList();
        Map<String, KvStoreStats> storeStats = new LinkedHashMap<>();
        stores.forEach((name, store) -> storeStats.put(name, store.stats()));
        return new KvStoresStats(connections, Collections.unmodifiableMap(storeStats), events.dropped());
    }

    /**
     * Measures the round-trip time of every connection now (the pool also does so every
     * {@link NatsConfig#roundTripInterval()}); the result also appears in {@link #stats()}.
     *
     * @return a cold Mono emitting one duration per connection, in pool order; failing with
     *         {@link java.util.concurrent.TimeoutException} when a connection does not answer within the request
     *         timeout, or {@link IllegalStateException} before start
     */
    public Mono<List<Duration>> measureRoundTrips() {
        return Mono.defer(() -> {
            NatsConnectionPool current = pool;
            if (current == null) {
                return Mono.error(new IllegalStateException("KV stores are not started"));
            }
            List<Mono<Duration>> probes = new ArrayList<>();
            for (PooledConnection c : current.connections()) {
                probes.add(c.measureRoundTrip(config.requestTimeout()));
            }
            return Flux.concat(probes).collectList();
        });
    }

    /**
     * Closes the stores: running watches complete, new operations fail with {@link NotConnectedException}, and every
     * connection is closed (jnats flushes what is queued first), then {@link #events()} completes.
     *
     * @return a cold, idempotent Mono completing when every connection is closed
     */
    @Override
    public Mono<Void> stop() {
        return Mono.defer(() -> {
            synchronized (this) {
                if (closing == null) {
                    closed = true;
                    closing = Mono.<Void>fromRunnable(this::closeNow).subscribeOn(Schedulers.boundedElastic()).cache();
                }
                return closing;
            }
        });
    }

    private void closeNow() {
        Disposable probes = roundTrips;
        if (probes != null) {
            probes.dispose();
        }
        stores.values().forEach(JetStreamKvStore::close);
        NatsConnectionPool current = pool;
        if (current != null) {
            current.close();
        }
        events.complete();
        LOG.info("KV stores closed");
    }

    /** Blocking {@link #stop()}, waiting at most the connect timeout plus 10 seconds. */
    @Override
    public void close() {
        stop().block(config.connectTimeout().plusSeconds(10));
    }

    @Override
    public String toString() {
        return "KvStores[" + config + "]";
    }
}
