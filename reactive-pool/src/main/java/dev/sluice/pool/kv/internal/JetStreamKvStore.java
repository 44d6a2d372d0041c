package dev.sluice.pool.kv.internal;

import dev.sluice.pool.kv.KeyExistsException;
import dev.sluice.pool.kv.KvBucketStatus;
import dev.sluice.pool.kv.KvCodec;
import dev.sluice.pool.kv.KvEntry;
import dev.sluice.pool.kv.KvOperation;
import dev.sluice.pool.kv.KvStorage;
import dev.sluice.pool.kv.KvStore;
import dev.sluice.pool.kv.KvStoreStats;
import dev.sluice.pool.kv.KvTimeoutException;
import dev.sluice.pool.kv.NotConnectedException;
import dev.sluice.pool.kv.TypedKvStore;
import dev.sluice.pool.kv.WatchOptions;
import io.nats.client.Message;
import io.nats.client.PublishOptions;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.MessageGetRequest;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.nats.client.impl.Headers;
import io.nats.client.support.NatsKeyValueUtil;
import io.nats.client.support.Validator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A {@link KvStore} on jnats without blocking: writes are {@code JetStream.publishAsync} to {@code $KV.<bucket>.<key>}
 * with the headers jnats' own KeyValue uses, reads are asynchronous requests to the JetStream direct-get API
 * ({@code $JS.API.DIRECT.GET.KV_<bucket>}) when the stream allows direct access, else to
 * {@code $JS.API.STREAM.MSG.GET.KV_<bucket>}; scans and watches are {@link ConsumerFeed}s. Every operation is timed,
 * counted and bounded by the request timeout.
 */
public final class JetStreamKvStore implements KvStore {

    private static final String API = "$JS.API.";

    private final String name;
    private final String bucket;
    private final String streamName;
    private final String keyPrefix;
    private final String getSubject;
    private final boolean direct;
    private final NatsConnectionPool pool;
    private final Duration requestTimeout;
    private final Failures failures;
    private final StoreMetrics metrics;
    private final Set<ConsumerFeed> feeds = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * @param name           the logical name
     * @param bucket         the bucket's name on the server
     * @param allowDirect    whether the bucket's stream allows direct get
     * @param pool           the connections
     * @param requestTimeout the timeout of each operation
     */
    public JetStreamKvStore(String name, String bucket, boolean allowDirect, NatsConnectionPool pool, Duration requestTimeout) {
        this.name = name;
        this.bucket = bucket;
        this.streamName = NatsKeyValueUtil.toStreamName(bucket);
        this.keyPrefix = NatsKeyValueUtil.toKeyPrefix(bucket);
        this.direct = allowDirect;
        this.getSubject = API + (allowDirect ? "DIRECT.GET." : "STREAM.MSG.GET.") + streamName;
        this.pool = pool;
        this.requestTimeout = requestTimeout;
        this.failures = new Failures(bucket, requestTimeout);
        this.metrics = new StoreMetrics(bucket);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String bucket() {
        return bucket;
    }

    @Override
    public Mono<KvEntry> get(String key) {
        return read(KvOperation.GET, key, () -> last(KvOperation.GET, validKey(key)).filter(e -> !e.isDeleted()));
    }

    @Override
    public Mono<KvEntry> get(String key, long revision) {
        return read(KvOperation.GET_REVISION, key, () -> {
            validKey(key);
            if (revision < 1) {
                return Mono.error(new IllegalArgumentException("revision must be 1 or more, got " + revision));
            }
            return fetch(KvOperation.GET_REVISION, key, MessageGetRequest.forSequence(revision))
                    .filter(e -> e.key().equals(key) && !e.isDeleted());
        });
    }

    @Override
    public Mono<Long> put(String key, byte[] value) {
        return run(KvOperation.PUT, key, () -> publish(KvOperation.PUT, validKey(key), value, null, -1));
    }

    @Override
    public Mono<Long> put(String key, String value) {
        return put(key, utf8(value));
    }

    @Override
    public Mono<Long> put(String key, byte[] value, String messageId) {
        return run(KvOperation.PUT, key, () -> publish(KvOperation.PUT, validKey(key), value, null, -1, validMessageId(messageId)));
    }

    @Override
    public Mono<Long> create(String key, byte[] value) {
        return createWith(key, value, null);
    }

    @Override
    public Mono<Long> create(String key, byte[] value, String messageId) {
        return Mono.defer(() -> createWith(key, value, validMessageId(messageId)));
    }

    private Mono<Long> createWith(String key, byte[] value, String messageId) {
        return run(KvOperation.CREATE, key, () -> publish(KvOperation.CREATE, validKey(key), value, null, 0, messageId)
                .onErrorResume(KeyExistsException.class, exists -> last(KvOperation.CREATE, key)
                        .filter(KvEntry::isDeleted)
                        .flatMap(marker -> publish(KvOperation.CREATE, key, value, null, marker.revision(), messageId))
                        .switchIfEmpty(Mono.error(exists))));
    }

    @Override
    public Mono<Long> create(String key, String value) {
        return create(key, utf8(value));
    }

    @Override
    public Mono<Long> update(String key, byte[] value, long expectedRevision) {
        return run(KvOperation.UPDATE, key, () -> publish(KvOperation.UPDATE, validKey(key), value, null, validRevision(expectedRevision)));
    }

    @Override
    public Mono<Long> update(String key, byte[] value, long expectedRevision, String messageId) {
        return run(KvOperation.UPDATE, key, () -> publish(KvOperation.UPDATE, validKey(key), value, null, validRevision(expectedRevision),
                validMessageId(messageId)));
    }

    @Override
    public Mono<Long> update(String key, String value, long expectedRevision) {
        return update(key, utf8(value), expectedRevision);
    }

    @Override
    public Mono<Long> delete(String key) {
        return run(KvOperation.DELETE, key, () -> publish(KvOperation.DELETE, validKey(key), null, KvHeaders.delete(), -1));
    }

    @Override
    public Mono<Long> delete(String key, String messageId) {
        return run(KvOperation.DELETE, key, () -> publish(KvOperation.DELETE, validKey(key), null, KvHeaders.delete(), -1, validMessageId(messageId)));
    }

    @Override
    public Mono<Long> delete(String key, long expectedRevision) {
        return run(KvOperation.DELETE, key, () -> publish(KvOperation.DELETE, validKey(key), null, KvHeaders.delete(), validRevision(expectedRevision)));
    }

    @Override
    public Mono<Long> delete(String key, long expectedRevision, String messageId) {
        return run(KvOperation.DELETE, key, () -> publish(KvOperation.DELETE, validKey(key), null, KvHeaders.delete(), validRevision(expectedRevision),
                validMessageId(messageId)));
    }

    @Override
    public Mono<Long> purge(String key) {
        return run(KvOperation.PURGE, key, () -> publish(KvOperation.PURGE, validKey(key), null, KvHeaders.purge(), -1));
    }

    @Override
    public Flux<String> keys() {
        return keys(">");
    }

    @Override
    public Flux<String> keys(String filter) {
        return scan(KvOperation.KEYS, null, () -> {
            Validator.validateKvKeyWildcardAllowedRequired(filter);
            return new ConsumerFeed.Spec(KvOperation.KEYS, null, keyPrefix + filter, DeliverPolicy.LastPerSubject, true, true, true,
                    feedHeartbeat());
        }).map(KvEntry::key);
    }

    @Override
    public Flux<KvEntry> history(String key) {
        return scan(KvOperation.HISTORY, key, () -> new ConsumerFeed.Spec(KvOperation.HISTORY, key, keyPrefix + validKey(key),
                DeliverPolicy.All, false, true, false, feedHeartbeat()));
    }

    @Override
    public Flux<KvEntry> watch(String keyOrPattern) {
        return watch(keyOrPattern, WatchOptions.DEFAULT);
    }

    @Override
    public Flux<KvEntry> watch(String keyOrPattern, WatchOptions options) {
        return Flux.defer(() -> {
            Validator.validateKvKeyWildcardAllowedRequired(keyOrPattern);
            DeliverPolicy policy = options.includeHistory() ? DeliverPolicy.All
                    : options.updatesOnly() ? DeliverPolicy.New : DeliverPolicy.LastPerSubject;
            metrics.started(KvOperation.WATCH);
            metrics.watchOpened();
            ConsumerFeed.Spec spec = new ConsumerFeed.Spec(KvOperation.WATCH, keyOrPattern, keyPrefix + keyOrPattern, policy, false, false,
                    options.ignoreDeletes(), options.heartbeat());
            return ConsumerFeed.flux(this, spec, options.bufferSize())
                    .doOnError(metrics::failed)
                    .doOnCancel(metrics::cancelled)
                    .doFinally(signal -> metrics.watchClosed());
        });
    }

    @Override
    public Mono<KvBucketStatus> status() {
        return run(KvOperation.STATUS, null, () -> request(KvOperation.STATUS, null, API + "STREAM.INFO." + streamName, null)
                .handle((message, sink) -> {
                    StreamInfo info = new StreamInfo(message);
                    if (info.hasError()) {
                        sink.error(failures.fromApi(KvOperation.STATUS, null, -1, info.getErrorCode(), info.getApiErrorCode(), info.getDescription(), null));
                    } else {
                        sink.next(status(bucket, info));
                    }
                }));
    }

    @Override
    public <T> TypedKvStore<T> typed(KvCodec<T> codec) {
        return new TypedKvStore<>(this, codec);
    }

    @Override
    public KvStoreStats stats() {
        return metrics.snapshot();
    }

    /** The status of a bucket from its stream's information. */
    public static KvBucketStatus status(String bucket, StreamInfo info) {
        StreamConfiguration c = info.getConfiguration();
        return new KvBucketStatus(bucket, info.getStreamState().getMsgCount(), info.getStreamState().getByteCount(),
                c.getMaxAge() == null ? Duration.ZERO : c.getMaxAge(), c.getReplicas(),
                c.getStorageType() == StorageType.Memory ? KvStorage.MEMORY : KvStorage.FILE, (int) c.getMaxMsgsPerSubject(),
                c.getMaxBytes(), c.getMaxMsgSize(), info.getStreamState().getConsumerCount(), c.getAllowDirect());
    }

    /** Completes the running watches and refuses new operations. */
    public void close() {
        closed = true;
        feeds.forEach(ConsumerFeed::complete);
    }

    NatsConnectionPool pool() {
        return pool;
    }

    Duration requestTimeout() {
        return requestTimeout;
    }

    Failures failures() {
        return failures;
    }

    StoreMetrics metrics() {
        return metrics;
    }

    String streamName() {
        return streamName;
    }

    String consumerCreateSubject() {
        return API + "CONSUMER.CREATE." + streamName;
    }

    String consumerDeleteSubject(String consumer) {
        return API + "CONSUMER.DELETE." + streamName + "." + consumer;
    }

    boolean register(ConsumerFeed feed) {
        feeds.add(feed);
        if (closed) {
            feeds.remove(feed);
            return false;
        }
        return true;
    }

    void unregister(ConsumerFeed feed) {
        feeds.remove(feed);
    }

    NotConnectedException closedError(KvOperation operation, String key) {
        return new NotConnectedException(bucket, operation, key, "the KV stores are closed", null);
    }

    /** The entry of a message on {@code $KV.<bucket>.<key>}, or null when the subject is not one of this bucket. */
    KvEntry entry(String subject, byte[] data, long revision, Instant created, Headers headers) {
        if (subject == null || !subject.startsWith(keyPrefix)) {
            return null;
        }
        KvEntry.Operation operation = KvHeaders.operation(headers);
        return new KvEntry(bucket, subject.substring(keyPrefix.length()), operation == KvEntry.Operation.PUT ? data : null, revision,
                created, operation);
    }

    private <T> Mono<T> run(KvOperation operation, String key, Supplier<Mono<T>> body) {
        return run(operation, key, requestTimeout, body);
    }

    /**
     * A read under its time limit: a direct get may wait its request timeout and then probe the stream (see
     * {@link #fetch}), so its limit leaves room for both, and once more for the probe, since on a loaded machine the
     * request's own timer may fire late and the probe must still get to tell a deleted bucket from a slow server.
     */
    private <T> Mono<T> read(KvOperation operation, String key, Supplier<Mono<T>> body) {
        return run(operation, key, direct ? requestTimeout.plus(probeTimeout().multipliedBy(2)) : requestTimeout, body);
    }

    private <T> Mono<T> run(KvOperation operation, String key, Duration timeout, Supplier<Mono<T>> body) {
        return Mono.defer(() -> {
            metrics.started(operation);
            long start = System.nanoTime();
            Mono<T> source;
            try {
                source = closed ? Mono.error(closedError(operation, key)) : body.get();
            } catch (RuntimeException e) {
                source = Mono.error(e);
            }
            return source
                    .timeout(timeout, Mono.defer(() -> Mono.error(new KvTimeoutException(bucket, operation, key, timeout))))
                    .doOnSuccess(value -> metrics.succeeded(operation, start))
                    .doOnError(metrics::failed)
                    .doOnCancel(metrics::cancelled);
        });
    }

    private Flux<KvEntry> scan(KvOperation operation, String key, Supplier<ConsumerFeed.Spec> spec) {
        return Flux.defer(() -> {
            metrics.started(operation);
            long start = System.nanoTime();
            ConsumerFeed.Spec feed;
            try {
                if (closed) {
                    throw closedError(operation, key);
                }
                feed = spec.get();
            } catch (RuntimeException e) {
                metrics.failed(e);
                return Flux.error(e);
            }
            return ConsumerFeed.flux(this, feed, Integer.MAX_VALUE)
                    .doOnComplete(() -> metrics.succeeded(operation, start))
                    .doOnError(metrics::failed)
                    .doOnCancel(metrics::cancelled);
        });
    }

    private Duration feedHeartbeat() {
        Duration half = requestTimeout.dividedBy(2);
        return half.compareTo(Duration.ofSeconds(5)) > 0 ? Duration.ofSeconds(5) : half.toMillis() < 100 ? Duration.ofMillis(100) : half;
    }

    private Mono<Long> publish(KvOperation operation, String key, byte[] value, Headers headers, long expectedRevision) {
        return publish(operation, key, value, headers, expectedRevision, null);
    }

    /**
     * Publishes one write. With a message id, JetStream acknowledges a second publish of the same id within the
     * stream's duplicate window as a duplicate carrying the first publish's sequence, without storing anything; the
     * duplicate check comes before the expected-sequence check, so a repeated compare-and-set is acknowledged too.
     */
    private Mono<Long> publish(KvOperation operation, String key, byte[] value, Headers headers, long expectedRevision, String messageId) {
        return Mono.defer(() -> {
            PooledConnection connection = pool.next();
            PublishOptions options = KvHeaders.publishOptions(expectedRevision, messageId);
            CompletableFuture<PublishAck> ack = connection.jetStream().publishAsync(keyPrefix + key, headers, value, options);
            connection.sent();
            // counted as done before the outcome is passed on, so statistics read right after see it
            return Mono.fromFuture(ack).doOnTerminate(connection::done).doOnCancel(connection::done);
        }).map(PublishAck::getSeqno).onErrorMap(e -> failures.map(operation, key, expectedRevision, e));
    }

    /** The last entry of the key, delete and purge markers included. */
    private Mono<KvEntry> last(KvOperation operation, String key) {
        return fetch(operation, key, MessageGetRequest.lastForSubject(keyPrefix + key));
    }

    /**
     * Reads one message. A direct get on a deleted stream gets no answer at all (JetStream's API listener takes the
     * request and drops it), so a direct get that times out asks the stream's information, briefly, to tell a
     * missing bucket from a slow server.
     */
    private Mono<KvEntry> fetch(KvOperation operation, String key, MessageGetRequest get) {
        Mono<KvEntry> read = request(operation, key, getSubject, get.serialize()).handle((message, sink) -> {
            MessageInfo info;
            if (direct) {
                if (message.isStatusMessage()) {
                    if (message.getStatus().getCode() != 404) {
                        sink.error(failures.fromStatus(operation, key, message.getStatus(), null));
                    }
                    return;
                }
                info = new MessageInfo(message, streamName, true);
            } else {
                info = new MessageInfo(message, streamName, false);
                if (info.hasError()) {
                    if (info.getApiErrorCode() != Failures.NO_MESSAGE_FOUND) {
                        sink.error(failures.fromApi(operation, key, -1, info.getErrorCode(), info.getApiErrorCode(), info.getDescription(), null));
                    }
                    return;
                }
            }
            KvEntry entry = entry(info.getSubject(), info.getData(), info.getSeq(),
                    info.getTime() == null ? null : info.getTime().toInstant(), info.getHeaders());
            if (entry != null) {
                sink.next(entry);
            }
        });
        if (!direct) {
            return read;
        }
        return read.onErrorResume(KvTimeoutException.class, timeout -> streamMissing(operation, key).then(Mono.error(timeout)));
    }

    /** Fails with {@link dev.sluice.pool.kv.BucketNotFoundException} when the stream is gone, else completes empty. */
    private Mono<Void> streamMissing(KvOperation operation, String key) {
        return Mono.defer(() -> Mono.fromFuture(pool.next().connection()
                        .requestWithTimeout(API + "STREAM.INFO." + streamName, null, null, probeTimeout())))
                .onErrorResume(e -> Mono.empty())
                .flatMap(message -> {
                    StreamInfo info = new StreamInfo(message);
                    return info.hasError() && info.getApiErrorCode() == Failures.STREAM_NOT_FOUND
                            ? Mono.error(failures.fromApi(operation, key, -1, info.getErrorCode(), info.getApiErrorCode(), info.getDescription(), null))
                            : Mono.empty();
                });
    }

    private Duration probeTimeout() {
        return requestTimeout.compareTo(Duration.ofSeconds(1)) < 0 ? requestTimeout : Duration.ofSeconds(1);
    }

    private Mono<Message> request(KvOperation operation, String key, String subject, byte[] body) {
        return Mono.defer(() -> {
            PooledConnection connection = pool.next();
            CompletableFuture<Message> reply = connection.connection().requestWithTimeout(subject, null, body, requestTimeout);
            connection.sent();
            return Mono.fromFuture(reply).doOnTerminate(connection::done).doOnCancel(connection::done);
        }).onErrorMap(e -> failures.map(operation, key, -1, e));
    }

    private static String validKey(String key) {
        Validator.validateNonWildcardKvKeyRequired(key);
        return key;
    }

    private static String validMessageId(String messageId) {
        if (messageId == null || messageId.isEmpty() || messageId.length() > KvStore.MAX_MESSAGE_ID_LENGTH
                || messageId.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new IllegalArgumentException("message id '" + messageId + "' is not allowed: use 1 to "
                    + KvStore.MAX_MESSAGE_ID_LENGTH + " printable ASCII characters without spaces");
        }
        return messageId;
    }

    private static long validRevision(long revision) {
        if (revision < 0) {
            throw new IllegalArgumentException("expected revision must be 0 (key absent) or more, got " + revision);
        }
        return revision;
    }

    private static byte[] utf8(String value) {
        return value == null ? null : value.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "KvStore[" + name + " -> bucket " + bucket + (direct ? ", direct get" : "") + "]";
    }
}
