package dev.sluice.pool.kv.internal;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.NUID;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures a connection's round-trip time without blocking any thread: it publishes a small message to a subject
 * only this connection subscribes to and times its arrival back, one trip to the server and back, as jnats'
 * blocking {@code Connection.RTT()} does with PING and PONG.
 */
final class RoundTripProbe {

    private final Connection connection;
    private final String subject;
    private final Map<String, Sinks.One<Long>> pending = new ConcurrentHashMap<>();
    private final AtomicLong counter = new AtomicLong();
    private volatile Duration last;

    RoundTripProbe(Connection connection, Dispatcher dispatcher) {
        this.connection = connection;
        this.subject = "_SLUICE.RTT." + NUID.nextGlobal();
        dispatcher.subscribe(subject, this::arrived);
    }

    /** The last measured round trip, or null. */
    Duration last() {
        return last;
    }

    /** Cold: measures one round trip; fails with a {@code TimeoutException} after {@code timeout}. */
    Mono<Duration> measure(Duration timeout) {
        return Mono.defer(() -> {
            String id = Long.toString(counter.incrementAndGet());
            Sinks.One<Long> arrival = Sinks.one();
            pending.put(id, arrival);
            long start = System.nanoTime();
            connection.publish(subject, id.getBytes(StandardCharsets.US_ASCII));
            return arrival.asMono()
                    .timeout(timeout)
                    .map(end -> Duration.ofNanos(end - start))
                    .doOnNext(rtt -> last = rtt)
                    .doFinally(signal -> pending.remove(id));
        });
    }

    private void arrived(Message message) {
        long now = System.nanoTime();
        Sinks.One<Long> arrival = pending.remove(new String(message.getData(), StandardCharsets.US_ASCII));
        if (arrival != null) {
            arrival.tryEmitValue(now);
        }
    }
}
