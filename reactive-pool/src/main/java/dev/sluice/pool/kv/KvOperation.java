package dev.sluice.pool.kv;

/** The operations of a {@link KvStore}, as named in statistics and errors. */
public enum KvOperation {
    GET, GET_REVISION, PUT, CREATE, UPDATE, DELETE, PURGE, KEYS, HISTORY, WATCH, STATUS, PROVISION;

    /** Lower-case name, as used in messages: {@code get_revision}. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
