package dev.sluice.pool.kv;

import java.util.List;

/**
 * An invalid NATS or KV bucket configuration, found when the configuration is built. The message lists every
 * problem, each naming the setting (and its environment variable), the rejected value and what is accepted.
 * Credentials and the user part of server URLs never appear in it.
 */
public final class NatsConfigException extends IllegalArgumentException {

    private final List<String> problems;

    /** @param problems one line per invalid setting */
    public NatsConfigException(List<String> problems) {
        super(problems.size() == 1
                ? "invalid NATS configuration: " + problems.get(0)
                : "invalid NATS configuration (" + problems.size() + " problems):\n - " + String.join("\n - ", problems));
        this.problems = List.copyOf(problems);
    }

    /** One line per invalid setting. */
    public List<String> problems() {
        return problems;
    }
}
