package dev.sluice.pool.kv;

/** Failures counted by {@link KvStoreStats#errors()}, one per {@link KvException} type. */
public enum KvErrorKind {
    KEY_EXISTS, WRONG_REVISION, BUCKET_NOT_FOUND, TIMEOUT, NOT_CONNECTED, SERVER, CODEC, OTHER;

    /** The kind of a failure. */
    public static KvErrorKind of(Throwable error) {
        if (error instanceof KeyExistsException) {
            return KEY_EXISTS;
        }
        if (error instanceof WrongRevisionException) {
            return WRONG_REVISION;
        }
        if (error instanceof BucketNotFoundException) {
            return BUCKET_NOT_FOUND;
        }
        if (error instanceof KvTimeoutException) {
            return TIMEOUT;
        }
        if (error instanceof NotConnectedException) {
            return NOT_CONNECTED;
        }
        if (error instanceof KvServerException) {
            return SERVER;
        }
        if (error instanceof KvCodecException) {
            return CODEC;
        }
        return OTHER;
    }
}
