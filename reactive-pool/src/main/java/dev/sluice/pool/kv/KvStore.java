package dev.sluice.pool.kv;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One JetStream KV bucket behind Reactor, obtained from {@link KvStores#store(String)}.
 *
 * <h2>Contract shared by every method</h2>
 * <ul>
 *   <li><b>Cold.</b> Nothing is sent until the returned publisher is subscribed to; each subscription sends the
 *       operation again (a re-subscribed {@code put} writes a new revision).</li>
 *   <li><b>Non-blocking.</b> No thread waits for the server: writes are asynchronous JetStream publishes, reads are
 *       asynchronous requests, scans and watches are push consumers created by asynchronous requests. Signals of
 *       {@code Mono}s arrive on a jnats thread or a Reactor timer thread: do not block in them (use
 *       {@code publishOn} for blocking work). {@code Flux}es of entries emit on Reactor's parallel scheduler.</li>
 *   <li><b>Bounded.</b> Each {@code Mono} fails with {@link KvTimeoutException} when the server has not answered
 *       within {@link NatsConfig#requestTimeout()}. A read by direct get that times out takes up to one second more
 *       (at most the request timeout again) to ask whether the bucket still exists, because JetStream does not
 *       answer a direct get on a deleted bucket.</li>
 *   <li><b>Typed failures.</b> Besides those named per method: {@link NotConnectedException} when the operation
 *       cannot be sent (closed connection, full reconnect buffer, stores closed); {@link BucketNotFoundException}
 *       when the bucket was deleted behind the stores' back; {@link KvServerException} for other refusals;
 *       {@link IllegalArgumentException} for an invalid key ({@code [-/_=.a-zA-Z0-9]+}, no leading or trailing dot)
 *       or revision, before anything is sent.</li>
 *   <li><b>Message ids.</b> The write methods that take a {@code messageId} send it as JetStream's
 *       {@code Nats-Msg-Id} header. A write whose id the bucket's stream has already stored within its duplicate
 *       window (two minutes for a bucket without TTL, else the shorter of two minutes and the TTL) is not applied
 *       again: the server acknowledges it as a duplicate, and the Mono emits the revision of the <em>original</em>
 *       write. JetStream checks the id before the expected revision, so repeating a compare-and-set that was applied
 *       emits its revision instead of failing with {@link WrongRevisionException}, even when the key has moved on
 *       since. A write that was refused (wrong revision, key exists) stores nothing, so its id stays free. After the
 *       window, an id is forgotten and a repeated write is applied (or refused) like a new one. Derive ids from what
 *       identifies the intent (such as a saga, a step and an attempt), never from time or randomness, so that a
 *       retry after a lost acknowledgement carries the same id.</li>
 *   <li><b>Cancellation.</b> Cancelling a read drops its answer. Cancelling a write after subscription does not
 *       recall it: the write may still be applied, and the revision is not reported.</li>
 * </ul>
 */
public interface KvStore {

    /** The longest message id the write methods accept. */
    int MAX_MESSAGE_ID_LENGTH = 256;

    /** The logical name, as given to {@link KvStores#store(String)}. */
    String name();

    /** The bucket's name on the server (prefix and logical name). */
    String bucket();

    /**
     * Reads the current value of a key.
     *
     * @return a cold Mono emitting the key's last entry, or completing empty when the key is absent, deleted or
     *         purged
     */
    Mono<KvEntry> get(String key);

    /**
     * Reads one revision of a key.
     *
     * @return a cold Mono emitting the entry, or completing empty when that revision is not a value of this key
     *         (another key's revision, a delete marker, or no longer kept)
     */
    Mono<KvEntry> get(String key, long revision);

    /**
     * Writes a value, whatever the key holds.
     *
     * @return a cold Mono emitting the new revision
     */
    Mono<Long> put(String key, byte[] value);

    /**
     * Writes a UTF-8 text value.
     *
     * @return a cold Mono emitting the new revision
     */
    Mono<Long> put(String key, String value);

    /**
     * Writes a value, whatever the key holds, at most once per {@code messageId} within the duplicate window (see
     * the class contract).
     *
     * @param messageId the write's id: 1 to {@value #MAX_MESSAGE_ID_LENGTH} printable ASCII characters, no spaces
     * @return a cold Mono emitting the new revision, or the original write's revision when the id is a duplicate;
     *         {@link IllegalArgumentException} for an invalid id, before anything is sent
     */
    Mono<Long> put(String key, byte[] value, String messageId);

    /**
     * Writes a value only if the key is absent (never written, deleted or purged); compare-and-set against
     * revision 0, then, when the key's last entry is a delete marker, against that marker's revision.
     *
     * @return a cold Mono emitting the new revision, or failing with {@link KeyExistsException} when the key holds a
     *         value
     */
    Mono<Long> create(String key, byte[] value);

    /**
     * {@link #create(String, byte[])} for a UTF-8 text value.
     *
     * @return a cold Mono emitting the new revision, or failing with {@link KeyExistsException}
     */
    Mono<Long> create(String key, String value);

    /**
     * {@link #create(String, byte[])} at most once per {@code messageId} within the duplicate window (see the class
     * contract): repeating a create that was applied emits its revision instead of failing with
     * {@link KeyExistsException}.
     *
     * @param messageId the write's id, as {@link #put(String, byte[], String)}
     * @return a cold Mono emitting the new revision, or the original write's revision when the id is a duplicate;
     *         failing with {@link KeyExistsException} when the key holds a value written by another id
     */
    Mono<Long> create(String key, byte[] value, String messageId);

    /**
     * Compare-and-set: writes a value only if the key's last revision is {@code expectedRevision}. Of concurrent
     * updates expecting the same revision, exactly one succeeds.
     *
     * @return a cold Mono emitting the new revision, or failing with {@link WrongRevisionException} carrying
     *         {@code expectedRevision} when the key's last revision is another
     */
    Mono<Long> update(String key, byte[] value, long expectedRevision);

    /**
     * {@link #update(String, byte[], long)} for a UTF-8 text value.
     *
     * @return a cold Mono emitting the new revision, or failing with {@link WrongRevisionException}
     */
    Mono<Long> update(String key, String value, long expectedRevision);

    /**
     * {@link #update(String, byte[], long)} at most once per {@code messageId} within the duplicate window (see the
     * class contract): repeating an update that was applied emits its revision, even when the key's last revision is
     * no longer {@code expectedRevision}.
     *
     * @param messageId the write's id, as {@link #put(String, byte[], String)}
     * @return a cold Mono emitting the new revision, or the original write's revision when the id is a duplicate;
     *         failing with {@link WrongRevisionException} when the id is new and the key's last revision is another
     */
    Mono<Long> update(String key, byte[] value, long expectedRevision, String messageId);

    /**
     * Deletes a key by writing a delete marker; its history is kept (up to the bucket's history depth).
     *
     * @return a cold Mono emitting the marker's revision
     */
    Mono<Long> delete(String key);

    /**
     * {@link #delete(String)} at most once per {@code messageId} within the duplicate window (see the class contract).
     *
     * @param messageId the write's id, as {@link #put(String, byte[], String)}
     * @return a cold Mono emitting the marker's revision, or the original marker's revision when the id is a duplicate
     */
    Mono<Long> delete(String key, String messageId);

    /**
     * Deletes a key only if its last revision is {@code expectedRevision}.
     *
     * @return a cold Mono emitting the marker's revision, or failing with {@link WrongRevisionException}
     */
    Mono<Long> delete(String key, long expectedRevision);

    /**
     * {@link #delete(String, long)} at most once per {@code messageId} within the duplicate window (see the class
     * contract).
     *
     * @param messageId the write's id, as {@link #put(String, byte[], String)}
     * @return a cold Mono emitting the marker's revision, or the original marker's revision when the id is a
     *         duplicate; failing with {@link WrongRevisionException} when the id is new and the revision is another
     */
    Mono<Long> delete(String key, long expectedRevision, String messageId);

    /**
     * Purges a key: writes a purge marker that rolls up (removes) every earlier revision of the key.
     *
     * @return a cold Mono emitting the marker's revision
     */
    Mono<Long> purge(String key);

    /**
     * Lists the keys that hold a value (deleted and purged keys are left out).
     *
     * @return a cold Flux emitting each key once, in stream order, then completing; it fails with
     *         {@link KvTimeoutException} when the server stops delivering for the request timeout. Cancelling
     *         deletes the server-side consumer the scan uses.
     */
    Flux<String> keys();

    /**
     * Lists the keys matching {@code filter} that hold a value; {@code *} matches one token, {@code >} the rest
     * (such as {@code orders.*} or {@code orders.>}).
     *
     * @return a cold Flux as {@link #keys()}
     */
    Flux<String> keys(String filter);

    /**
     * Reads every kept revision of a key, oldest first, delete and purge markers included.
     *
     * @return a cold Flux of entries that completes after the last one (empty when the key was never written);
     *         fails as {@link #keys()}
     */
    Flux<KvEntry> history(String key);

    /**
     * Watches a key or a pattern with {@link WatchOptions#DEFAULT}.
     *
     * @return a cold, endless Flux as {@link #watch(String, WatchOptions)}
     */
    Flux<KvEntry> watch(String keyOrPattern);

    /**
     * Watches a key or a pattern ({@code *} one token, {@code >} the rest): first the last entry of each matching
     * key (or all kept revisions, or nothing, per {@code options}), then every change, in revision order, delete and
     * purge markers included unless {@link WatchOptions#ignoreDeletes()}.
     *
     * <p>Each subscription creates its own server-side consumer. It survives reconnects and server restarts: after a
     * gap or missed heartbeats it re-creates its consumer from the last revision it emitted, so no change is skipped
     * or repeated. The Flux never completes by itself; it completes when the stores are closed. It fails with
     * {@code OverflowException} when more than {@link WatchOptions#bufferSize()} entries wait for a slow subscriber,
     * and with the operation's typed failure when its consumer cannot be created at first.
     *
     * @return a cold Flux of entries; cancelling it unsubscribes and deletes its server-side consumer at once
     */
    Flux<KvEntry> watch(String keyOrPattern, WatchOptions options);

    /**
     * Reads the bucket's settings and state from the server.
     *
     * @return a cold Mono emitting the status, or failing with {@link BucketNotFoundException}
     */
    Mono<KvBucketStatus> status();

    /**
     * A view of this store for values of a user type.
     *
     * @param codec turns values into bytes and back (such as {@link JacksonKvCodec})
     */
    <T> TypedKvStore<T> typed(KvCodec<T> codec);

    /** A snapshot of this store's statistics; cheap, never blocks. */
    KvStoreStats stats();
}
