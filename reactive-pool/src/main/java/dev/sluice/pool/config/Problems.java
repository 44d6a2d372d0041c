package dev.sluice.pool.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the problems of one configuration while it is checked, so that all of them are reported together by
 * one {@link ConfigException}. Not thread-safe: one per {@code build()}.
 */
public final class Problems {

    private final String scope;
    private final List<ConfigProblem> found = new ArrayList<>();

    /** @param scope what the problems belong to (see {@link ConfigProblem#scope()}), may be empty */
    public Problems(String scope) {
        this.scope = scope;
    }

    /** Checks {@code value} against {@code setting}'s declared range; records a problem when it is outside. */
    public <T> void check(Setting<T> setting, T value) {
        String fix = setting.problem(value);
        if (fix != null) {
            add(setting, value, fix);
        }
    }

    /** Records a problem of {@code setting} (its value masked when the setting is secret). */
    public <T> void add(Setting<T> setting, T value, String fix) {
        found.add(ConfigProblem.of(scope, setting.name(), value == null ? null : setting.show(value), fix));
    }

    /** Records a problem of a setting that has no declaration (a rule between settings, a list entry). */
    public void add(String setting, Object value, String fix) {
        found.add(ConfigProblem.of(scope, setting, value, fix));
    }

    /** Records a problem found elsewhere. */
    public void add(ConfigProblem problem) {
        found.add(problem);
    }

    /** Records every problem of {@code refusal}. */
    public void addAll(ConfigException refusal) {
        found.addAll(refusal.problems());
    }

    /** Whether a problem of {@code setting} has been recorded. */
    public boolean has(String setting) {
        return found.stream().anyMatch(p -> p.setting().equals(setting));
    }

    /** Whether nothing has been recorded. */
    public boolean isEmpty() {
        return found.isEmpty();
    }

    /** The problems recorded so far. */
    public List<ConfigProblem> list() {
        return List.copyOf(found);
    }

    /** @throws ConfigException with every recorded problem, when there is one */
    public void throwIfAny() {
        if (!found.isEmpty()) {
            throw new ConfigException(found.stream().distinct().toList());
        }
    }
}
