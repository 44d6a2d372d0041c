package dev.sluice.pool.kv.internal;

import dev.sluice.pool.kv.NatsConfig;
import dev.sluice.pool.kv.NotConnectedException;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small fixed set of NATS connections. {@link #next()} spreads operations round-robin over the connected ones.
 * Opening and closing block (jnats has no asynchronous form of either) and run on a bounded scheduler.
 */
public final class NatsConnectionPool {

    private static final Logger LOG = LoggerFactory.getLogger(NatsConnectionPool.class);

    private final List<PooledConnection> connections;
    private final AtomicInteger cursor = new AtomicInteger();

    private NatsConnectionPool(List<PooledConnection> connections) {
        this.connections = List.copyOf(connections);
    }

    /**
     * Opens every connection of the pool; blocking. When one cannot be opened, those already open are closed.
     *
     * @throws NotConnectedException naming the servers (without credentials) and the cause
     */
    public static NatsConnectionPool open(NatsConfig config, ConnectionEvents events) {
        List<PooledConnection> opened = new ArrayList<>();
        try {
            for (int i = 0; i < config.connections(); i++) {
                Connection connection = Nats.connect(options(config, events, i));
                try {
                    opened.add(new PooledConnection(i, connection));
                } catch (IOException | RuntimeException e) {
                    closeQuietly(connection);
                    throw e;
                }
            }
            return new NatsConnectionPool(opened);
        } catch (IOException | RuntimeException e) {
            opened.forEach(c -> closeQuietly(c.connection()));
            throw new NotConnectedException(null, null, null, "could not connect to "
                    + config.servers().stream().map(Redaction::url).toList() + ": " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            opened.forEach(c -> closeQuietly(c.connection()));
            throw new NotConnectedException(null, null, null, "interrupted while connecting", e);
        }
    }

    static Options options(NatsConfig config, ConnectionEvents events, int index) {
        ConnectionEvents.Listener listener = events.listener(index);
        Options.Builder b = new Options.Builder()
                .servers(config.servers().toArray(new String[0]))
                .connectionName(config.connectionName() + "-" + index)
                .connectionTimeout(config.connectTimeout())
                .maxReconnects(config.reconnect().maxAttempts())
                .reconnectWait(config.reconnect().delay())
                .reconnectJitter(config.reconnect().jitter())
                .reconnectJitterTls(config.reconnect().jitter())
                .reconnectBufferSize(config.reconnect().bufferSize())
                .maxMessagesInOutgoingQueue(config.maxPendingMessages())
                .requestCleanupInterval(cleanupInterval(config.requestTimeout()))
                .reportNoResponders()
                .useTimeoutException()
                .connectionListener(listener)
                .errorListener(listener);
        config.credentialsFile().ifPresent(path -> b.authHandler(Nats.credentials(path.toString())));
        config.user().ifPresent(user -> b.userInfo(user, config.password().orElseThrow()));
        config.token().ifPresent(token -> b.token(token.toCharArray()));
        config.nkeyFile().ifPresent(seedFile -> b.authHandler(new NKeySeedAuth(seedFile)));
        if (config.tls()) {
            b.sslContext(PemTls.context(config.caCertificate().orElse(null), config.tlsCertificate().orElse(null), config.tlsKey().orElse(null)));
        }
        return b.build();
    }

    private static Duration cleanupInterval(Duration requestTimeout) {
        Duration doubled = requestTimeout.multipliedBy(2);
        return doubled.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : doubled;
    }

    /** The connections, by index. */
    public List<PooledConnection> connections() {
        return connections;
    }

    /**
     * The next connection round-robin, preferring connected ones; when none is connected, the next one anyway, so
     * that the operation is buffered by a reconnecting connection (per the reconnect policy) or fails as not
     * connected.
     */
    public PooledConnection next() {
        int size = connections.size();
        int start = Math.floorMod(cursor.getAndIncrement(), size);
        if (size == 1) {
            return connections.get(0);
        }
        for (int i = 0; i < size; i++) {
            PooledConnection candidate = connections.get((start + i) % size);
            if (candidate.isConnected()) {
                return candidate;
            }
        }
        return connections.get(start);
    }

    /** Closes every connection; blocking (jnats flushes and waits for its threads). */
    public void close() {
        connections.forEach(c -> closeQuietly(c.connection()));
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("closing a NATS connection failed: {}", e.toString());
        }
    }

    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = root instanceof TimeoutException ? "timed out" : root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return Redaction.text(text);
    }
}
