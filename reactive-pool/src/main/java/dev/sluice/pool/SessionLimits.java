package dev.sluice.pool;

import dev.sluice.pool.config.ConfigException;

/**
 * Limits of an {@link AgentSession}. Exceeding one fails the work at once with a
 * {@link SessionLimitException} naming the agent, the limit and the value; nothing waits.
 *
 * @param maxConcurrentConnections connections the agent may hold at the same time, 1 to 10,000
 * @param maxOperations            operations (each {@code withConnection} or transaction, retries included)
 *                                 over the session's life, at least 1
 * @param maxStatementsPerTransaction size of one transaction's log: statements it may run through
 *                                 {@link Tx}'s helpers, at least 1
 */
public record SessionLimits(int maxConcurrentConnections, long maxOperations, int maxStatementsPerTransaction) {

    /** Two connections, a million operations, a thousand statements per transaction. */
    public static final SessionLimits DEFAULT = new SessionLimits(2, 1_000_000, 1_000);

    /**
     * @throws ConfigException naming the limit, the value and the valid range
     */
    public SessionLimits {
        if (maxConcurrentConnections < 1 || maxConcurrentConnections > 10_000) {
            throw new ConfigException("maxConcurrentConnections", maxConcurrentConnections, "must be between 1 and 10000");
        }
        if (maxOperations < 1) {
            throw new ConfigException("maxOperations", maxOperations, "must be at least 1");
        }
        if (maxStatementsPerTransaction < 1) {
            throw new ConfigException("maxStatementsPerTransaction", maxStatementsPerTransaction, "must be at least 1");
        }
    }
}
