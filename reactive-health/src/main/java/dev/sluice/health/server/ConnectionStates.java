package dev.sluice.health.server;

import java.time.Instant;
import java.util.Map;

/**
 * The server's sessions of one pool, counted by state, as {@code pg_stat_activity} shows them.
 *
 * @param pool            the pool asked
 * @param applicationName the application name matched (sessions of its agents, {@code <name>/<agent>}, included)
 * @param byState         sessions by state: {@code active}, {@code idle}, {@code idle in transaction}, ... (the session
 *                        that asked is among the active ones)
 * @param at              when the server answered
 */
public record ConnectionStates(String pool, String applicationName, Map<String, Integer> byState, Instant at) {

    /** Copies the map. */
    public ConnectionStates {
        byState = Map.copyOf(byState);
    }

    /** Sessions in every state together. */
    public int total() {
        return byState.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Sessions in {@code state} (0 when none). */
    public int count(String state) {
        return byState.getOrDefault(state, 0);
    }
}
