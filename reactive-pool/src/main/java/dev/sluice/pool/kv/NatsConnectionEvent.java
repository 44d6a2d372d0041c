package dev.sluice.pool.kv;

import java.time.Instant;

/**
 * Something that happened to one connection of the pool, as published by {@link KvStores#events()}.
 *
 * @param type       what happened
 * @param connection the connection's index in the pool (0-based)
 * @param server     the server it concerns, user information removed; null when unknown
 * @param detail     the error text or the subject of a slow consumer; null for state changes
 * @param at         when jnats reported it
 */
public record NatsConnectionEvent(Type type, int connection, String server, String detail, Instant at) {

    /** Kinds of connection events. */
    public enum Type {
        /** The connection was opened. */
        CONNECTED,
        /** The connection lost its server; it is reconnecting (or will close, per the reconnect policy). */
        DISCONNECTED,
        /** The connection is back. */
        RECONNECTED,
        /** Subscriptions were re-established after a reconnect. */
        RESUBSCRIBED,
        /** The server announced more servers of its cluster. */
        DISCOVERED_SERVERS,
        /** The server is shutting down gracefully and asks clients to move. */
        LAME_DUCK,
        /** The connection is closed for good. */
        CLOSED,
        /** The server sent an error. */
        ERROR,
        /** jnats met an exception (such as a failed reconnect attempt). */
        EXCEPTION,
        /** A subscription fell behind and jnats dropped messages. */
        SLOW_CONSUMER,
        /** jnats discarded an outgoing message because its queue was full. */
        MESSAGE_DISCARDED
    }
}
