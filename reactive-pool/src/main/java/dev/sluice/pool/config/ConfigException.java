package dev.sluice.pool.config;

import java.util.List;

/**
 * A configuration was refused. It carries every problem found, not only the first: each names the setting, the
 * environment variable when the value came from one, the value (secrets shown as {@value ConfigProblem#MASKED})
 * and the fix. The message lists them all, one per line, and never contains a password, token or key.
 */
public class ConfigException extends IllegalArgumentException {

    private final List<ConfigProblem> problems;

    /**
     * @param problems at least one problem
     * @throws IllegalArgumentException when {@code problems} is empty
     */
    public ConfigException(List<ConfigProblem> problems) {
        super(message(problems));
        this.problems = List.copyOf(problems);
    }

    /** One problem of a value set in code. */
    public ConfigException(String setting, Object value, String fix) {
        this(List.of(ConfigProblem.of("", setting, value, fix)));
    }

    private static String message(List<ConfigProblem> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one problem");
        }
        if (problems.size() == 1) {
            return "invalid configuration: " + problems.get(0).message();
        }
        StringBuilder text = new StringBuilder("invalid configuration (").append(problems.size()).append(" problems):");
        problems.forEach(problem -> text.append("\n - ").append(problem.message()));
        return text.toString();
    }

    /** Every problem found, in the order they were found. */
    public List<ConfigProblem> problems() {
        return problems;
    }

    /** What the first problem asks to change: its environment variable when it came from one, else its setting. */
    public String setting() {
        return problems.get(0).source();
    }
}
