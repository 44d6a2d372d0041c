package dev.sluice.pool.kv.internal;

import dev.sluice.pool.kv.BucketNotFoundException;
import dev.sluice.pool.kv.KeyExistsException;
import dev.sluice.pool.kv.KvException;
import dev.sluice.pool.kv.KvOperation;
import dev.sluice.pool.kv.KvServerException;
import dev.sluice.pool.kv.KvTimeoutException;
import dev.sluice.pool.kv.NotConnectedException;
import dev.sluice.pool.kv.WrongRevisionException;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamStatusException;
import io.nats.client.support.Status;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/** Turns what jnats and the server report into the typed {@link KvException}s. */
final class Failures {

    /** JetStream: "wrong last sequence", the compare-and-set failure. */
    static final int WRONG_LAST_SEQUENCE = 10071;
    /** JetStream (clustered): the last sequence of the subject is not known yet. */
    static final int SEQUENCE_TEMPORARILY_UNKNOWN = 10164;
    /** JetStream: "stream not found". */
    static final int STREAM_NOT_FOUND = 10059;
    /** JetStream: "no message found". */
    static final int NO_MESSAGE_FOUND = 10037;

    private final String bucket;
    private final Duration timeout;

    Failures(String bucket, Duration timeout) {
        this.bucket = bucket;
        this.timeout = timeout;
    }

    /**
     * The typed failure for {@code error}; {@code expectedRevision} is the compare-and-set revision, or -1.
     * {@link KvException}s and argument errors pass unchanged.
     */
    Throwable map(KvOperation operation, String key, long expectedRevision, Throwable error) {
        Throwable e = unwrap(error);
        if (e instanceof KvException || e instanceof IllegalArgumentException) {
            return e;
        }
        if (e instanceof JetStreamApiException api) {
            return fromApi(operation, key, expectedRevision, api.getErrorCode(), api.getApiErrorCode(), api.getErrorDescription(), api);
        }
        if (e instanceof JetStreamStatusException status) {
            return fromStatus(operation, key, status.getStatus(), status);
        }
        if (e instanceof TimeoutException || e instanceof CancellationException) {
            return new KvTimeoutException(bucket, operation, key, timeout);
        }
        if (e instanceof IllegalStateException) {
            return new NotConnectedException(bucket, operation, key, e.getMessage(), e);
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (message.startsWith("Error Publishing: 503")) {
            // jnats' publishAsync completes "no responders" as an IOException carrying the status line
            return new BucketNotFoundException(bucket, operation, key);
        }
        return new KvServerException(bucket, operation, key, -1, -1, Redaction.text(message), e);
    }

    /** The typed failure for a JetStream API error. */
    KvException fromApi(KvOperation operation, String key, long expectedRevision, int code, int apiCode, String description, Throwable cause) {
        if (apiCode == STREAM_NOT_FOUND) {
            return new BucketNotFoundException(bucket, operation, key);
        }
        if (operation == KvOperation.CREATE && (apiCode == WRONG_LAST_SEQUENCE || apiCode == SEQUENCE_TEMPORARILY_UNKNOWN)) {
            // as jnats' create: the key may still be a delete marker, which the caller checks before reporting
            return new KeyExistsException(bucket, key);
        }
        if (apiCode == WRONG_LAST_SEQUENCE) {
            return new WrongRevisionException(bucket, operation, key, expectedRevision);
        }
        return new KvServerException(bucket, operation, key, code, apiCode, description, cause);
    }

    /** The typed failure for a status answer (503 no responders, 408, ...). */
    KvException fromStatus(KvOperation operation, String key, Status status, Throwable cause) {
        if (status.getCode() == Status.NO_RESPONDERS_CODE) {
            return new BucketNotFoundException(bucket, operation, key);
        }
        return new KvServerException(bucket, operation, key, status.getCode(), -1, status.getMessage(), cause);
    }

    static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException
                || (e != null && e.getClass() == RuntimeException.class)) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
