package dev.sluice.pool.kv;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.Objects;

/**
 * A {@link KvStore} for values of one type, encoded and decoded by a {@link KvCodec}. Every method has the contract
 * of the {@link KvStore} method of the same name; in addition, encoding or decoding failures are reported as
 * {@link KvCodecException} (for writes, before anything is sent).
 *
 * @param <T> the value type
 */
public final class TypedKvStore<T> {

    private final KvStore store;
    private final KvCodec<T> codec;

    /**
     * @param store the store holding the bytes
     * @param codec the codec
     */
    public TypedKvStore(KvStore store, KvCodec<T> codec) {
        this.store = Objects.requireNonNull(store, "store");
        this.codec = Objects.requireNonNull(codec, "codec");
    }

    /** The underlying store. */
    public KvStore store() {
        return store;
    }

    /** @return a cold Mono emitting the decoded current value, or completing empty; see {@link KvStore#get(String)} */
    public Mono<T> get(String key) {
        return store.get(key).map(entry -> entry.value(codec));
    }

    /** @return a cold Mono emitting the key's current entry; decode it with {@link KvEntry#value(KvCodec)} */
    public Mono<KvEntry> entry(String key) {
        return store.get(key);
    }

    /** @return a cold Mono emitting the decoded value of that revision, or completing empty; see {@link KvStore#get(String, long)} */
    public Mono<T> get(String key, long revision) {
        return store.get(key, revision).map(entry -> entry.value(codec));
    }

    /** @return a cold Mono emitting the new revision; see {@link KvStore#put(String, byte[])} */
    public Mono<Long> put(String key, T value) {
        return encode(KvOperation.PUT, key, value).flatMap(bytes -> store.put(key, bytes));
    }

    /** @return a cold Mono emitting the new revision, or failing with {@link KeyExistsException}; see {@link KvStore#create(String, byte[])} */
    public Mono<Long> create(String key, T value) {
        return encode(KvOperation.CREATE, key, value).flatMap(bytes -> store.create(key, bytes));
    }

    /**
     * @return a cold Mono emitting the new revision, or failing with {@link WrongRevisionException}; see
     *         {@link KvStore#update(String, byte[], long)}
     */
    public Mono<Long> update(String key, T value, long expectedRevision) {
        return encode(KvOperation.UPDATE, key, value).flatMap(bytes -> store.update(key, bytes, expectedRevision));
    }

    /** @return a cold, endless Flux of entries; see {@link KvStore#watch(String, WatchOptions)} */
    public Flux<KvEntry> watch(String keyOrPattern, WatchOptions options) {
        return store.watch(keyOrPattern, options);
    }

    private Mono<byte[]> encode(KvOperation operation, String key, T value) {
        return Mono.fromCallable(() -> {
            try {
                return codec.encode(value);
            } catch (RuntimeException e) {
                throw new KvCodecException(store.bucket(), operation, key, "could not encode the value for key '" + key + "' in bucket '"
                        + store.bucket() + "' with " + codec + ": " + e.getMessage(), e);
            }
        });
    }
}
