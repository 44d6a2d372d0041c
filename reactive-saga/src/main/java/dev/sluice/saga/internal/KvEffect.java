package dev.sluice.saga.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.pool.kv.KeyExistsException;
import dev.sluice.pool.kv.KvEntry;
import dev.sluice.pool.kv.KvStore;
import dev.sluice.pool.kv.WrongRevisionException;
import dev.sluice.saga.SagaContext;
import reactor.core.publisher.Mono;

import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * A JetStream KV write as a saga step (internal).
 *
 * <p>Before the write, the key's current entry (the pre-image: existed, revision, value), the value to write and the
 * write's message id are logged. The write is a compare-and-set on the pre-image's revision (or a create when the
 * key was absent), so it applies at most once per logged pre-image, and it carries the message id
 * {@code sluice-saga:<saga>:<step>:do:<pre-image revision>}, so JetStream stores it at most once per id within the
 * bucket's duplicate window.
 *
 * <p>A create, and a put whose keys were mostly absent so far, skip the read: they log the pre-image "absent" and
 * create, which JetStream refuses when the key holds a value; only then is the key read and the step logged again
 * with its real pre-image. A put whose keys mostly existed reads first.
 *
 * <p>A step found logged as started (a retry, or a saga resumed by recovery) repeats the logged write with the
 * logged message id: when the earlier attempt was applied, JetStream answers with its revision (a duplicate), and
 * when it was not, the write applies now on the same pre-image; either way the step completes in one round trip.
 * Only when the repeat is refused (the duplicate window has passed, or someone else wrote the key) is the key's
 * history read: the first entry after the pre-image is ours when it carries the logged value (or is a delete marker,
 * for a delete). A step logged as started that is being compensated is judged by the history alone, without
 * writing.
 *
 * <p>The compensation puts back the previous value, or deletes a created key, with compare-and-set on the revision
 * the step recorded and the message id {@code sluice-saga:<saga>:<step>:undo:<revision>}, so a repeated compensation
 * is acknowledged rather than refused; a later writer is never overwritten: a conflict fails the compensation.
 */
public final class KvEffect implements StepEffect {

    /** Which write. */
    public enum Kind { PUT, CREATE, UPDATE, DELETE }

    private static final Base64.Encoder ENCODE = Base64.getEncoder();
    private static final Base64.Decoder DECODE = Base64.getDecoder();

    private final Kind kind;
    private final KvStore store;
    private final BiFunction<SagaContext, Optional<KvEntry>, String> key;
    private final BiFunction<SagaContext, Optional<KvEntry>, byte[]> value;
    /** Below or at zero while the keys this put step wrote were mostly absent: then it creates before reading. */
    private final AtomicInteger keysUsuallyAbsent = new AtomicInteger();

    /**
     * @param kind  which write
     * @param store the bucket
     * @param key   the key, from the context (the entry argument is always empty here)
     * @param value the value to write given the key's current entry; null for deletes
     */
    public KvEffect(Kind kind, KvStore store, BiFunction<SagaContext, Optional<KvEntry>, String> key,
                    BiFunction<SagaContext, Optional<KvEntry>, byte[]> value) {
        this.kind = kind;
        this.store = store;
        this.key = key;
        this.value = value;
    }

    /** Which write. */
    public Kind kind() {
        return kind;
    }

    /** The bucket's store. */
    public KvStore store() {
        return store;
    }

    /** The key this step writes for {@code context}. */
    public String key(SagaContext context) {
        return key.apply(context, Optional.empty());
    }

    /** The value a put step writes for {@code context} when the key's current entry is not read (outbox writes). */
    public byte[] blindValue(SagaContext context) {
        return value.apply(context, Optional.empty());
    }

    @Override
    public Mono<JsonNode> run(StepCall call) {
        return Mono.defer(() -> {
            StepRecord logged = call.logged();
            Mono<Optional<JsonNode>> earlier = logged == null || logged.preImage() == null ? Mono.just(Optional.empty())
                    : logged.preImage().hasNonNull("messageId") ? replay(call, logged.preImage()) : reconcile(call);
            return earlier.flatMap(found -> found.isPresent()
                    ? call.completed(found.get()).thenReturn(found.get())
                    : attempt(call));
        });
    }

    private Mono<JsonNode> attempt(StepCall call) {
        String k = key.apply(call.context(), Optional.empty());
        boolean optimistic = kind == Kind.CREATE || (kind == Kind.PUT && keysUsuallyAbsent.get() <= 0);
        return optimistic ? create(call, k) : readThenWrite(call, k);
    }

    /**
     * Writes on the assumption that the key is absent, which saves reading it first: the pre-image logged is
     * "absent", and the write is a create, which JetStream refuses when the key holds a value. Then the step goes the
     * usual way (read, log the real pre-image, write), so a refused assumption costs one round trip.
     */
    private Mono<JsonNode> create(StepCall call, String k) {
        byte[] bytes = valueToWrite(call, Optional.empty());
        ObjectNode pre = preImage(call, k, Optional.empty(), bytes);
        Mono<JsonNode> created = write(k, false, 0L, bytes, pre.get("messageId").asText())
                .doOnNext(revision -> absent(true))
                .map(revision -> result(pre, revision))
                .onErrorResume(KeyExistsException.class, exists -> Mono.fromRunnable(() -> absent(false)));
        return call.started(pre).then(created)
                .flatMap(result -> call.completed(result).thenReturn(result))
                .switchIfEmpty(Mono.defer(() -> readThenWrite(call, k)));
    }

    /** Counts toward reading first ({@code false}, the key held a value) or creating first ({@code true}). */
    private void absent(boolean wasAbsent) {
        keysUsuallyAbsent.updateAndGet(score -> wasAbsent ? Math.max(-8, score - 1) : Math.min(8, score + 1));
    }

    private Mono<JsonNode> readThenWrite(StepCall call, String k) {
        return store.get(k).map(Optional::of).defaultIfEmpty(Optional.empty()).flatMap(current -> {
            if (kind == Kind.UPDATE && current.isEmpty()) {
                return Mono.error(new IllegalStateException("step '" + call.stepId() + "': key '" + k + "' in bucket '"
                        + store.bucket() + "' is absent; an update step needs a value to update (use put or create)"));
            }
            if (kind == Kind.PUT) {
                absent(current.isEmpty());
            }
            byte[] bytes = valueToWrite(call, current);
            ObjectNode pre = preImage(call, k, current, bytes);
            return call.started(pre)
                    .then(write(k, pre.get("existed").asBoolean(), pre.get("revision").asLong(), bytes, pre.get("messageId").asText()))
                    .map(revision -> result(pre, revision))
                    .flatMap(result -> call.completed(result).thenReturn(result));
        });
    }

    /** The value this step writes given the key's current entry; null for a delete. */
    private byte[] valueToWrite(StepCall call, Optional<KvEntry> current) {
        return kind == Kind.DELETE ? null : value.apply(call.context(), current);
    }

    /**
     * What the log holds before the write: the key's entry ({@code current}), the value to write ({@code write}, see
     * {@link #valueToWrite}), the message id.
     */
    private ObjectNode preImage(StepCall call, String k, Optional<KvEntry> current, byte[] write) {
        ObjectNode pre = Json.MAPPER.createObjectNode();
        pre.put("bucket", store.bucket());
        pre.put("key", k);
        pre.put("kind", kind.name());
        pre.put("existed", current.isPresent());
        pre.put("revision", current.map(KvEntry::revision).orElse(0L));
        pre.put("value", current.map(e -> ENCODE.encodeToString(e.value())).orElse(null));
        pre.put("write", write == null ? null : ENCODE.encodeToString(write));
        pre.put("messageId", messageId(call, "do", pre.get("revision").asLong()));
        return pre;
    }

    /** The value a logged pre-image says the step writes; null for a delete. */
    private static byte[] decode(JsonNode pre) {
        return pre.get("write").isNull() ? null : DECODE.decode(pre.get("write").asText());
    }

    /** The write's JetStream message id: the same for every attempt on the same logged pre-image. */
    static String messageId(StepCall call, String phase, long revision) {
        return "sluice-saga:" + call.sagaId() + ":" + call.stepId() + ":" + phase + ":" + revision;
    }

    private Mono<Long> write(String k, boolean existed, long revision, byte[] write, String messageId) {
        return switch (kind) {
            case DELETE -> existed ? store.delete(k, revision, messageId) : Mono.just(0L);
            case CREATE -> store.create(k, write, messageId);
            case PUT, UPDATE -> existed ? store.update(k, write, revision, messageId) : store.create(k, write, messageId);
        };
    }

    /**
     * Repeats the logged write with its logged message id: emits the step's result when the write is (or already
     * was) applied, and falls back to the history when it is refused.
     */
    private Mono<Optional<JsonNode>> replay(StepCall call, JsonNode pre) {
        byte[] write = decode(pre);
        return write(pre.get("key").asText(), pre.get("existed").asBoolean(), pre.get("revision").asLong(), write,
                pre.get("messageId").asText())
                .map(revision -> Optional.of(result(pre, revision)))
                .onErrorResume(e -> e instanceof WrongRevisionException || e instanceof KeyExistsException, refused -> reconcile(call));
    }

    private static JsonNode result(JsonNode pre, long revision) {
        ObjectNode result = Json.MAPPER.createObjectNode();
        result.put("key", pre.get("key").asText());
        result.put("revision", revision);
        result.put("existed", pre.get("existed").asBoolean());
        result.put("previousRevision", pre.get("revision").asLong());
        result.set("previousValue", pre.get("value"));
        result.set("messageId", pre.get("messageId"));
        return result;
    }

    @Override
    public Mono<Optional<JsonNode>> reconcile(StepCall call) {
        StepRecord logged = call.logged();
        if (logged == null || logged.preImage() == null) {
            return Mono.just(Optional.empty());
        }
        JsonNode pre = logged.preImage();
        boolean existed = pre.get("existed").asBoolean();
        if (kind == Kind.DELETE && !existed) {
            return Mono.just(Optional.of(result(pre, 0L)));
        }
        String k = pre.get("key").asText();
        long preRevision = pre.get("revision").asLong();
        byte[] write = decode(pre);
        return store.history(k).collectList().map(history -> {
            KvEntry candidate = existed ? firstAfter(history, preRevision) : firstAfterLastMarker(history);
            boolean ours = candidate != null && (kind == Kind.DELETE
                    ? candidate.isDeleted()
                    : !candidate.isDeleted() && Arrays.equals(candidate.value(), write));
            return ours ? Optional.of(result(pre, candidate.revision())) : Optional.empty();
        });
    }

    @Override
    public Mono<Void> compensate(StepCall call, JsonNode result) {
        long revision = result.get("revision").asLong();
        if (revision == 0L) {
            return call.compensating(result).then(call.compensated());
        }
        String k = result.get("key").asText();
        boolean existed = result.get("existed").asBoolean();
        byte[] previous = existed ? DECODE.decode(result.get("previousValue").asText()) : null;
        String messageId = messageId(call, "undo", revision);
        Mono<Long> restore = existed ? store.update(k, previous, revision, messageId) : store.delete(k, revision, messageId);
        ObjectNode logged = result.deepCopy();
        logged.put("compensationMessageId", messageId);
        return call.compensating(logged)
                .then(restore.onErrorResume(WrongRevisionException.class, conflict -> store.history(k).collectList()
                        .flatMap(history -> {
                            KvEntry next = firstAfter(history, revision);
                            boolean ours = next != null && (existed
                                    ? !next.isDeleted() && Arrays.equals(next.value(), previous)
                                    : next.isDeleted());
                            return ours ? Mono.just(next.revision()) : Mono.error(new IllegalStateException("compensation of step '"
                                    + call.stepId() + "' refused: key '" + k + "' in bucket '" + store.bucket()
                                    + "' was written after revision " + revision + " by someone else; the newer value is kept", conflict));
                        })))
                .then(call.compensated());
    }

    private static KvEntry firstAfter(List<KvEntry> history, long revision) {
        return history.stream().filter(e -> e.revision() > revision).findFirst().orElse(null);
    }

    private static KvEntry firstAfterLastMarker(List<KvEntry> history) {
        int lastMarker = -1;
        for (int i = 0; i < history.size(); i++) {
            if (history.get(i).isDeleted()) {
                lastMarker = i;
            }
        }
        return lastMarker + 1 < history.size() ? history.get(lastMarker + 1) : null;
    }

    @Override
    public boolean compensable() {
        return true;
    }
}
