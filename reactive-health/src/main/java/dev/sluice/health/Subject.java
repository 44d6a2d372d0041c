package dev.sluice.health;

import java.util.Objects;

/**
 * What a check and a sample are about: a PostgreSQL pool, a JetStream KV bucket or a NATS connection, by name.
 *
 * @param kind the kind of subject
 * @param name the pool's name, the bucket's logical name, or the connection's index in the NATS pool
 */
public record Subject(Kind kind, String name) {

    /** The kinds of subjects the monitor checks. */
    public enum Kind {
        /** A PostgreSQL pool of the registry. */
        POOL("pool"),
        /** A JetStream KV bucket of the registry. */
        BUCKET("bucket"),
        /** A NATS connection of the registry's KV stores. */
        CONNECTION("nats connection");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        /** A lower-case word for messages and JSON: {@code pool}, {@code bucket}, {@code nats connection}. */
        public String label() {
            return label;
        }
    }

    /** Checks that both parts are present. */
    public Subject {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
    }

    /** The subject of the pool named {@code name}. */
    public static Subject pool(String name) {
        return new Subject(Kind.POOL, name);
    }

    /** The subject of the bucket with this logical name. */
    public static Subject bucket(String name) {
        return new Subject(Kind.BUCKET, name);
    }

    /** The subject of the NATS connection with this index in the connection pool. */
    public static Subject connection(int index) {
        return new Subject(Kind.CONNECTION, Integer.toString(index));
    }

    /** For messages: {@code pool 'primary'}, {@code bucket 'sessions'}, {@code nats connection '0'}. */
    @Override
    public String toString() {
        return kind.label() + " '" + name + "'";
    }
}
