package dev.sluice.pool.kv.internal;

import dev.sluice.pool.kv.ConnectionStats;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStream;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One connection of the pool with what operations need from it: its JetStream context for asynchronous publishes,
 * one shared dispatcher (a single jnats thread) for every watch and the round-trip probe, and counters.
 */
public final class PooledConnection {

    private final int index;
    private final Connection connection;
    private final JetStream jetStream;
    private final Dispatcher dispatcher;
    private final RoundTripProbe probe;
    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();

    PooledConnection(int index, Connection connection) throws java.io.IOException {
        this.index = index;
        this.connection = connection;
        this.jetStream = connection.jetStream();
        this.dispatcher = connection.createDispatcher();
        this.probe = new RoundTripProbe(connection, dispatcher);
    }

    /** Index in the pool. */
    public int index() {
        return index;
    }

    /** The jnats connection. */
    public Connection connection() {
        return connection;
    }

    /** Its JetStream context. */
    public JetStream jetStream() {
        return jetStream;
    }

    /** The dispatcher shared by watches on this connection. */
    public Dispatcher dispatcher() {
        return dispatcher;
    }

    /** Whether jnats reports it connected. */
    public boolean isConnected() {
        return connection.getStatus() == Connection.Status.CONNECTED;
    }

    /** Counts an operation sent. */
    public void sent() {
        sent.incrementAndGet();
        inFlight.incrementAndGet();
    }

    /** Counts an operation answered, failed or cancelled. */
    public void done() {
        inFlight.decrementAndGet();
    }

    /** Cold: measures the round-trip time now. */
    public Mono<Duration> measureRoundTrip(Duration timeout) {
        return probe.measure(timeout);
    }

    /** A snapshot of its state. */
    public ConnectionStats stats() {
        String url = connection.getStatus() == Connection.Status.CONNECTED ? connection.getConnectedUrl() : null;
        return new ConnectionStats(index, connection.getStatus().name(), url == null ? null : Redaction.url(url),
                connection.getStatistics().getReconnects(), Optional.ofNullable(probe.last()), sent.get(), inFlight.get());
    }
}
