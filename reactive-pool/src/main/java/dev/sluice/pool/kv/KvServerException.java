package dev.sluice.pool.kv;

/** The server refused the operation for another reason than the typed failures; carries its error codes. */
public final class KvServerException extends KvException {

    private final int code;
    private final int apiErrorCode;

    /** The server refused {@code operation} with a status {@code code} and JetStream {@code apiErrorCode} (-1 when absent). */
    public KvServerException(String bucket, KvOperation operation, String key, int code, int apiErrorCode, String description, Throwable cause) {
        super(bucket, operation, key, where(operation, bucket, key) + " failed on the server: " + description
                + " (code " + code + (apiErrorCode > 0 ? ", JetStream error " + apiErrorCode : "") + ")", cause);
        this.code = code;
        this.apiErrorCode = apiErrorCode;
    }

    /** The status code (such as 400, 500, 503), or -1 when the failure was not a server answer. */
    public int code() {
        return code;
    }

    /** JetStream's own error code (such as 10071), or -1 when none. */
    public int apiErrorCode() {
        return apiErrorCode;
    }
}
