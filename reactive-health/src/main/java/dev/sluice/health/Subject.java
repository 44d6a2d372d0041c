package dev.sluice.health;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a check and a sample are about: a kind ({@link dev.sluice.pool.check.HealthCheck#kind()}) and a name within it.
 *
 * @param kind dotted lower-case words: {@link #POOL}, {@link #KV}, {@link #NATS} for the built-in checks, or a
 *             check's own kind such as {@code saga.outbox}
 * @param name the pool's name, the bucket's logical name, the NATS connection's index, or the check's name
 */
public record Subject(String kind, String name) {

    /** The kind of the PostgreSQL pools of the registry. */
    public static final String POOL = "pool";
    /** The kind of the JetStream KV buckets of the registry. */
    public static final String KV = "kv";
    /** The kind of the NATS connections of the registry's KV stores. */
    public static final String NATS = "nats";

    /** What a kind must look like. */
    public static final Pattern KIND = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*");

    /**
     * Checks both parts.
     *
     * @throws IllegalArgumentException when the kind is not dotted lower-case words or the name is blank
     */
    public Subject {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        if (!KIND.matcher(kind).matches()) {
            throw new IllegalArgumentException("check kind '" + kind + "' must be dotted lower-case words such as 'saga.outbox'");
        }
        if (name.isBlank()) {
            throw new IllegalArgumentException("a " + kind + " check's name must not be blank");
        }
    }

    /** The subject of the pool named {@code name}. */
    public static Subject pool(String name) {
        return new Subject(POOL, name);
    }

    /** The subject of the bucket with this logical name. */
    public static Subject bucket(String name) {
        return new Subject(KV, name);
    }

    /** The subject of the NATS connection with this index in the connection pool. */
    public static Subject connection(int index) {
        return new Subject(NATS, Integer.toString(index));
    }

    /** For messages: {@code pool 'primary'}, {@code kv 'sessions'}, {@code nats '0'}, {@code saga.outbox 'sluice.saga'}. */
    @Override
    public String toString() {
        return kind + " '" + name + "'";
    }
}
