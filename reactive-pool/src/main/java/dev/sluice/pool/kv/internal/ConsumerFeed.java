package dev.sluice.pool.kv.internal;

import dev.sluice.pool.kv.KvEntry;
import dev.sluice.pool.kv.KvOperation;
import dev.sluice.pool.kv.KvServerException;
import dev.sluice.pool.kv.KvTimeoutException;
import io.nats.client.Message;
import io.nats.client.Subscription;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerCreateRequest;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.ReplayPolicy;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsJetStreamMetaData;
import io.nats.client.impl.NatsMessage;
import io.nats.client.support.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.scheduler.Schedulers;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static io.nats.client.support.NatsJetStreamConstants.CONSUMER_STALLED_HDR;
import static io.nats.client.support.NatsJetStreamConstants.LAST_CONSUMER_HDR;

/**
 * One server-side consumer read without blocking: an ephemeral push consumer (no acks, flow control and idle
 * heartbeats, in memory, one replica) created with an asynchronous JetStream API request, delivered to the
 * connection's shared dispatcher. It is what {@code watch}, {@code keys} and {@code history} stand on.
 *
 * <p>A watch keeps the guarantees of jnats' ordered consumer: when a message is missing (a gap in consumer
 * sequences) or three heartbeats are missed (the server restarted and lost the consumer), it deletes the consumer
 * and creates a new one starting after the last revision it emitted. A scan ({@code keys}, {@code history})
 * instead completes once it has read what was pending when it started, and fails on a gap or when no data arrives
 * within the request timeout.
 *
 * <p>Stopping (cancel, completion, error, or the stores closing) unsubscribes and deletes the consumer on the
 * server at once; its inactivity threshold is only a safety net for a client that dies.
 */
final class ConsumerFeed {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerFeed.class);
    private static final Duration INACTIVE_THRESHOLD = Duration.ofSeconds(30);

    /** What to read and how. */
    record Spec(KvOperation operation, String key, String filterSubject, DeliverPolicy policy, boolean headersOnly, boolean scan,
                boolean ignoreDeletes, Duration heartbeat) {
    }

    private final JetStreamKvStore store;
    private final PooledConnection connection;
    private final Spec spec;
    private final FluxSink<KvEntry> sink;

    private Subscription subscription;
    private String consumerName;
    private int generation;
    private long expectedConsumerSequence = 1;
    private long lastStreamSequence;
    private long received;
    private long target = -1;
    private boolean creating;
    private boolean created;
    private boolean stopped;
    private volatile long lastActivity = System.nanoTime();
    private Disposable watchdog;

    private ConsumerFeed(JetStreamKvStore store, PooledConnection connection, Spec spec, FluxSink<KvEntry> sink) {
        this.store = store;
        this.connection = connection;
        this.spec = spec;
        this.sink = sink;
    }

    /**
     * Cold: each subscription creates its own consumer. Entries are emitted on a parallel scheduler, never on the
     * jnats dispatcher thread shared by all watches of the connection.
     */
    static Flux<KvEntry> flux(JetStreamKvStore store, Spec spec, int bufferSize) {
        return Flux.<KvEntry>create(sink -> {
                    ConsumerFeed feed = new ConsumerFeed(store, store.pool().next(), spec, sink);
                    sink.onDispose(feed::stop);
                    feed.start();
                }, FluxSink.OverflowStrategy.IGNORE)
                .onBackpressureBuffer(bufferSize)
                .publishOn(Schedulers.parallel());
    }

    private synchronized void start() {
        if (!store.register(this)) {
            sink.error(store.closedError(spec.operation(), spec.key()));
            return;
        }
        Duration tick = spec.scan() ? store.requestTimeout() : spec.heartbeat();
        watchdog = Flux.interval(tick, tick, Schedulers.parallel()).subscribe(t -> checkAlive());
        createConsumer();
    }

    /** Completes the feed (the stores are closing). */
    void complete() {
        sink.complete();
    }

    private synchronized void createConsumer() {
        int gen = ++generation;
        String inbox = connection.connection().createInbox();
        subscription = connection.dispatcher().subscribe(inbox, message -> onMessage(gen, message));
        expectedConsumerSequence = 1;
        lastActivity = System.nanoTime();
        creating = true;
        ConsumerConfiguration.Builder config = ConsumerConfiguration.builder()
                .deliverSubject(inbox)
                .ackPolicy(AckPolicy.None)
                .filterSubject(spec.filterSubject())
                .replayPolicy(ReplayPolicy.Instant)
                .flowControl(spec.heartbeat())
                .memStorage(true)
                .numReplicas(1)
                .inactiveThreshold(INACTIVE_THRESHOLD);
        if (spec.headersOnly()) {
            config.headersOnly(true);
        }
        if (lastStreamSequence > 0) {
            config.deliverPolicy(DeliverPolicy.ByStartSequence).startSequence(lastStreamSequence + 1);
        } else {
            config.deliverPolicy(spec.policy());
        }
        byte[] body = new ConsumerCreateRequest(store.streamName(), config.build()).serialize();
        CompletableFuture<Message> response;
        try {
            response = connection.connection().requestWithTimeout(store.consumerCreateSubject(), null, body, store.requestTimeout());
        } catch (RuntimeException e) {
            onCreated(gen, null, e);
            return;
        }
        response.whenComplete((message, error) -> onCreated(gen, message, error));
    }

    private synchronized void onCreated(int gen, Message message, Throwable error) {
        ConsumerInfo info = null;
        Throwable failure = error;
        if (failure == null) {
            info = new ConsumerInfo(message);
            if (info.hasError()) {
                failure = store.failures().fromApi(spec.operation(), spec.key(), -1, info.getErrorCode(), info.getApiErrorCode(),
                        info.getDescription(), null);
            }
        }
        if (gen != generation || stopped) {
            if (failure == null) {
                deleteConsumer(info.getName());
            }
            return;
        }
        creating = false;
        if (failure != null) {
            Throwable mapped = store.failures().map(spec.operation(), spec.key(), -1, failure);
            if (!created || spec.scan()) {
                sink.error(mapped);
            } else {
                LOG.debug("re-creating the consumer of a watch on {} failed, trying again: {}", spec.filterSubject(), mapped.toString());
                lastActivity = System.nanoTime();
            }
            return;
        }
        created = true;
        consumerName = info.getName();
        if (lastStreamSequence == 0 && spec.policy() == DeliverPolicy.New && info.getDelivered() != null) {
            // a re-created "updates only" consumer must resume after what existed when the watch began
            lastStreamSequence = info.getDelivered().getStreamSequence();
        }
        if (spec.scan()) {
            target = info.getCalculatedPending();
            completeScanIfDone(-1);
        }
    }

    private synchronized void onMessage(int gen, Message message) {
        if (gen != generation || stopped) {
            return;
        }
        if (message.isStatusMessage()) {
            onStatus(message);
            return;
        }
        lastActivity = System.nanoTime();
        if (!(message instanceof NatsMessage natsMessage)) {
            return;
        }
        NatsJetStreamMetaData meta = new NatsJetStreamMetaData(natsMessage);
        if (meta.consumerSequence() != expectedConsumerSequence) {
            onGap(expectedConsumerSequence, meta.consumerSequence());
            return;
        }
        expectedConsumerSequence++;
        lastStreamSequence = meta.streamSequence();
        received++;
        KvEntry entry = store.entry(message.getSubject(), spec.headersOnly() ? null : message.getData(), meta.streamSequence(),
                meta.timestamp().toInstant(), message.getHeaders());
        if (entry != null && !(spec.ignoreDeletes() && entry.isDeleted())) {
            sink.next(entry);
        }
        if (spec.scan()) {
            completeScanIfDone(meta.pendingCount());
        }
    }

    private void onStatus(Message message) {
        Status status = message.getStatus();
        Headers headers = message.getHeaders();
        if (status.isFlowControl()) {
            reply(message.getReplyTo());
        } else if (status.isHeartbeat()) {
            if (!spec.scan()) {
                lastActivity = System.nanoTime();
            }
            String stalled = headers == null ? null : headers.getFirst(CONSUMER_STALLED_HDR);
            reply(stalled);
            String lastConsumer = headers == null ? null : headers.getFirst(LAST_CONSUMER_HDR);
            if (lastConsumer != null && created) {
                long last = Long.parseLong(lastConsumer.trim());
                if (last != expectedConsumerSequence - 1) {
                    onGap(expectedConsumerSequence, last + 1);
                }
            }
        }
    }

    private void reply(String subject) {
        if (subject == null || subject.isEmpty()) {
            return;
        }
        try {
            connection.connection().publish(subject, null);
        } catch (RuntimeException e) {
            LOG.debug("could not answer flow control on {}: {}", spec.filterSubject(), e.toString());
        }
    }

    private void onGap(long expected, long got) {
        if (spec.scan()) {
            sink.error(new KvServerException(store.bucket(), spec.operation(), spec.key(), -1, -1,
                    "messages were lost in delivery (expected consumer sequence " + expected + ", got " + got + "); run it again", null));
        } else {
            reset("gap in delivery: expected consumer sequence " + expected + ", got " + got);
        }
    }

    private void completeScanIfDone(long pending) {
        if (pending == 0 || (target >= 0 && received >= target)) {
            sink.complete();
        }
    }

    private synchronized void checkAlive() {
        if (stopped || creating) {
            return;
        }
        long idle = System.nanoTime() - lastActivity;
        if (spec.scan()) {
            if (idle > store.requestTimeout().toNanos()) {
                sink.error(new KvTimeoutException(store.bucket(), spec.operation(), spec.key(), store.requestTimeout()));
            }
        } else if (idle > spec.heartbeat().toNanos() * 3) {
            reset(created ? "three heartbeats missed" : "retrying the consumer creation");
        }
    }

    private void reset(String reason) {
        LOG.debug("watch on {}: {}; re-creating its consumer after revision {}", spec.filterSubject(), reason, lastStreamSequence);
        store.metrics().watchReset();
        unsubscribe();
        deleteConsumer(consumerName);
        consumerName = null;
        createConsumer();
    }

    private synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        if (watchdog != null) {
            watchdog.dispose();
        }
        unsubscribe();
        deleteConsumer(consumerName);
        consumerName = null;
        store.unregister(this);
    }

    private void unsubscribe() {
        if (subscription != null) {
            try {
                connection.dispatcher().unsubscribe(subscription);
            } catch (RuntimeException e) {
                LOG.debug("unsubscribing a watch on {} failed: {}", spec.filterSubject(), e.toString());
            }
            subscription = null;
        }
    }

    private void deleteConsumer(String name) {
        if (name == null) {
            return;
        }
        try {
            connection.connection()
                    .requestWithTimeout(store.consumerDeleteSubject(name), null, null, store.requestTimeout())
                    .whenComplete((reply, error) -> {
                        if (error != null) {
                            LOG.debug("deleting consumer {} failed (its inactivity threshold removes it): {}", name, error.toString());
                        } else if (LOG.isTraceEnabled()) {
                            LOG.trace("deleted consumer {}: {}", name, new String(reply.getData(), StandardCharsets.UTF_8));
                        }
                    });
        } catch (RuntimeException e) {
            LOG.debug("deleting consumer {} failed (its inactivity threshold removes it): {}", name, e.toString());
        }
    }
}
