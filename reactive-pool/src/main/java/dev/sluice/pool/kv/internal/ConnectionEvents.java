package dev.sluice.pool.kv.internal;

import dev.sluice.pool.kv.NatsConnectionEvent;
import dev.sluice.pool.kv.NatsConnectionEvent.Type;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Consumer;
import io.nats.client.ErrorListener;
import io.nats.client.Message;
import io.nats.client.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The hot stream of connection events. jnats calls its listeners from its own threads, several at once when the
 * pool has several connections; emission is serialized here and never waits: an event that cannot be kept for a
 * slow subscriber is dropped and counted.
 */
public final class ConnectionEvents {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionEvents.class);

    private final Sinks.Many<NatsConnectionEvent> sink;
    private final AtomicLong dropped = new AtomicLong();
    private final Object emitLock = new Object();

    /** @param bufferSize events kept for late or slow subscribers */
    public ConnectionEvents(int bufferSize) {
        this.sink = Sinks.many().multicast().onBackpressureBuffer(bufferSize, false);
    }

    /** The hot stream. */
    public Flux<NatsConnectionEvent> flux() {
        return sink.asFlux();
    }

    /** Events dropped because a subscriber did not keep up. */
    public long dropped() {
        return dropped.get();
    }

    /** Publishes one event; never blocks. */
    public void emit(NatsConnectionEvent event) {
        Sinks.EmitResult result;
        synchronized (emitLock) {
            result = sink.tryEmitNext(event);
        }
        if (result.isFailure() && result != Sinks.EmitResult.FAIL_TERMINATED && result != Sinks.EmitResult.FAIL_ZERO_SUBSCRIBER) {
            dropped.incrementAndGet();
        }
        if (event.type() == Type.DISCONNECTED || event.type() == Type.CLOSED || event.type() == Type.ERROR) {
            LOG.info("NATS connection {}: {} {}{}", event.connection(), event.type(), event.server() == null ? "" : event.server(),
                    event.detail() == null ? "" : " (" + event.detail() + ")");
        }
    }

    /** Ends the stream (after the last connection closed). */
    public void complete() {
        synchronized (emitLock) {
            sink.tryEmitComplete();
        }
    }

    /** A jnats listener that turns one connection's callbacks into events. */
    public Listener listener(int index) {
        return new Listener(index);
    }

    /** jnats' connection and error listener for one connection of the pool. */
    public final class Listener implements ConnectionListener, ErrorListener {
        private final int index;

        private Listener(int index) {
            this.index = index;
        }

        @Override
        public void connectionEvent(Connection conn, Events type, Long time, String uriDetails) {
            Type mapped = switch (type) {
                case CONNECTED -> Type.CONNECTED;
                case DISCONNECTED -> Type.DISCONNECTED;
                case RECONNECTED -> Type.RECONNECTED;
                case RESUBSCRIBED -> Type.RESUBSCRIBED;
                case DISCOVERED_SERVERS -> Type.DISCOVERED_SERVERS;
                case LAME_DUCK -> Type.LAME_DUCK;
                case CLOSED -> Type.CLOSED;
            };
            Instant at = time == null ? Instant.now() : Instant.ofEpochMilli(time);
            emit(new NatsConnectionEvent(mapped, index, server(conn, uriDetails), null, at));
        }

        @Override
        @Deprecated
        public void connectionEvent(Connection conn, Events type) {
            connectionEvent(conn, type, null, null);
        }

        @Override
        public void errorOccurred(Connection conn, String error) {
            emit(new NatsConnectionEvent(Type.ERROR, index, server(conn, null), Redaction.text(error), Instant.now()));
        }

        @Override
        public void exceptionOccurred(Connection conn, Exception exp) {
            emit(new NatsConnectionEvent(Type.EXCEPTION, index, server(conn, null), Redaction.text(exp.toString()), Instant.now()));
        }

        @Override
        public void slowConsumerDetected(Connection conn, Consumer consumer) {
            String subject = consumer instanceof Subscription s ? s.getSubject() : String.valueOf(consumer);
            emit(new NatsConnectionEvent(Type.SLOW_CONSUMER, index, server(conn, null), subject, Instant.now()));
        }

        @Override
        public void messageDiscarded(Connection conn, Message msg) {
            emit(new NatsConnectionEvent(Type.MESSAGE_DISCARDED, index, server(conn, null), msg.getSubject(), Instant.now()));
        }

        private String server(Connection conn, String uriDetails) {
            String url = uriDetails != null && !uriDetails.isBlank() ? uriDetails : conn == null ? null : conn.getConnectedUrl();
            return url == null ? null : Redaction.url(url);
        }
    }
}
