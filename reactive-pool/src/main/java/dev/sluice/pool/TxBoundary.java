package dev.sluice.pool;

import java.time.Duration;

/**
 * The scope of a transaction, which sets its {@code SET LOCAL} values (they end with the transaction):
 *
 * <table>
 *   <caption>Values per boundary</caption>
 *   <tr><th>boundary</th><th>statement_timeout</th><th>idle_in_transaction_session_timeout</th><th>synchronous_commit</th></tr>
 *   <tr><td>SINGLE_OPERATION</td><td>5 s</td><td>10 s</td><td>on</td></tr>
 *   <tr><td>AGENT_TASK</td><td>60 s</td><td>60 s</td><td>on</td></tr>
 *   <tr><td>CROSS_SYSTEM</td><td>30 s</td><td>30 s</td><td>remote_apply</td></tr>
 *   <tr><td>DISTRIBUTED_SAGA</td><td>120 s</td><td>120 s</td><td>on</td></tr>
 * </table>
 *
 * Short operations fail fast; agent tasks may think between statements; cross-system work waits until
 * synchronous standbys have applied the commit (so a read on a replica right after sees it; equal to
 * {@code on} without synchronous standbys); saga steps get the longest budget. A timeout in
 * {@link TxOptions} overrides the statement timeout.
 */
public enum TxBoundary {
    SINGLE_OPERATION(Duration.ofSeconds(5), Duration.ofSeconds(10), "on"),
    AGENT_TASK(Duration.ofSeconds(60), Duration.ofSeconds(60), "on"),
    CROSS_SYSTEM(Duration.ofSeconds(30), Duration.ofSeconds(30), "remote_apply"),
    DISTRIBUTED_SAGA(Duration.ofSeconds(120), Duration.ofSeconds(120), "on");

    private final Duration statementTimeout;
    private final Duration idleInTransactionTimeout;
    private final String synchronousCommit;

    TxBoundary(Duration statementTimeout, Duration idleInTransactionTimeout, String synchronousCommit) {
        this.statementTimeout = statementTimeout;
        this.idleInTransactionTimeout = idleInTransactionTimeout;
        this.synchronousCommit = synchronousCommit;
    }

    /** {@code statement_timeout} inside the transaction. */
    public Duration statementTimeout() {
        return statementTimeout;
    }

    /** {@code idle_in_transaction_session_timeout} inside the transaction. */
    public Duration idleInTransactionTimeout() {
        return idleInTransactionTimeout;
    }

    /** {@code synchronous_commit} of the transaction. */
    public String synchronousCommit() {
        return synchronousCommit;
    }
}
