package dev.sluice.pool.kv.internal;

import dev.sluice.pool.kv.KvEntry;
import io.nats.client.PublishOptions;
import io.nats.client.api.KeyValueOperation;
import io.nats.client.impl.Headers;
import io.nats.client.support.NatsKeyValueUtil;

import static io.nats.client.support.NatsJetStreamConstants.KV_OPERATION_HEADER_KEY;
import static io.nats.client.support.NatsJetStreamConstants.ROLLUP_HDR;
import static io.nats.client.support.NatsJetStreamConstants.ROLLUP_HDR_SUBJECT;

/**
 * What a KV write carries besides its subject and value, the way jnats' own {@code KeyValue} sends it: the
 * {@code KV-Operation} header of delete and purge markers (a purge also rolls the subject's history up to the
 * marker), and the publish options of a conditional or idempotent write (expected last subject sequence, message
 * id), which jnats turns into {@code Nats-Expected-Last-Subject-Sequence} and {@code Nats-Msg-Id} headers. And the
 * reverse: the operation a stored message stands for.
 *
 * <p>Headers are built new for every write: jnats sends the instance it is given, and may cache its serialized
 * form in it, so one instance must not be shared between writes.
 */
public final class KvHeaders {

    private KvHeaders() {
    }

    /** {@code KV-Operation: DEL}: the marker a delete writes. */
    public static Headers delete() {
        return new Headers().put(KV_OPERATION_HEADER_KEY, KeyValueOperation.DELETE.getHeaderValue());
    }

    /** {@code KV-Operation: PURGE} and {@code Nats-Rollup: sub}: the marker a purge writes, which drops the key's history. */
    public static Headers purge() {
        return new Headers().put(KV_OPERATION_HEADER_KEY, KeyValueOperation.PURGE.getHeaderValue()).put(ROLLUP_HDR, ROLLUP_HDR_SUBJECT);
    }

    /**
     * The publish options of one write.
     *
     * @param expectedRevision the revision the key must be at ({@code 0}: the key must have no message), or negative
     *                         for an unconditional write
     * @param messageId        the message id JetStream deduplicates on, or null
     * @return null when the write is unconditional and has no message id (it needs no options)
     */
    public static PublishOptions publishOptions(long expectedRevision, String messageId) {
        if (expectedRevision < 0 && messageId == null) {
            return null;
        }
        PublishOptions.Builder builder = PublishOptions.builder();
        if (expectedRevision >= 0) {
            builder.expectedLastSubjectSequence(expectedRevision);
        }
        if (messageId != null) {
            builder.messageId(messageId);
        }
        return builder.build();
    }

    /** The operation a stored message stands for, from its headers (none: a put). */
    public static KvEntry.Operation operation(Headers headers) {
        KeyValueOperation op = NatsKeyValueUtil.getOperation(headers);
        return op == KeyValueOperation.DELETE ? KvEntry.Operation.DELETE
                : op == KeyValueOperation.PURGE ? KvEntry.Operation.PURGE : KvEntry.Operation.PUT;
    }
}
