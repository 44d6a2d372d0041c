package dev.sluice.pool;

/**
 * A snapshot of an {@link AgentSession}.
 *
 * @param agentId               the agent
 * @param operations            operations started (refused ones excluded)
 * @param transactionsCommitted transactions that committed
 * @param transactionsAborted   transactions rolled back (errors, vetoes, cancellations)
 * @param activeConnections     connections the agent holds now
 * @param refused               operations refused by a limit
 */
public record SessionStats(String agentId, long operations, long transactionsCommitted, long transactionsAborted,
                           int activeConnections, long refused) {
}
