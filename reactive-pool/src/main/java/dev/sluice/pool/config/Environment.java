package dev.sluice.pool.config;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Environment variables as every Sluice loader reads them, with the same three rules everywhere:
 * <ul>
 *   <li><b>Blank is an error.</b> A variable that is set to an empty or all-space value is a deployment mistake,
 *       reported naming the variable; it is not taken to mean "unset".</li>
 *   <li><b>Unknown is a warning.</b> A variable with one of the project's prefixes that no loader knows is not
 *       refused (containers carry variables meant for other programs): {@link #warnUnknown} records a warning
 *       naming the closest known variable, and logs it.</li>
 *   <li><b>Aliases must agree.</b> A setting read from its own variable and from a conventional alias (libpq's
 *       {@code PGHOST}, the NATS CLI's {@code NATS_URL}) is read from whichever is set; when both are set to
 *       different values, the loader refuses naming both (neither silently wins).</li>
 * </ul>
 * Reads only the map it is given. Not thread-safe: one per load.
 */
public final class Environment {

    private static final Logger LOG = LoggerFactory.getLogger(Environment.class);

    private final Map<String, String> variables = new TreeMap<>();
    private final List<String> warnings = new ArrayList<>();

    private Environment(Map<String, String> env) {
        env.forEach((name, value) -> {
            if (name != null && value != null) {
                variables.put(name, value);
            }
        });
    }

    /** The variables of {@code env} (such as {@code System.getenv()}); {@code null} names and values are dropped. */
    public static Environment of(Map<String, String> env) {
        return new Environment(Objects.requireNonNull(env, "env"));
    }

    /** Every variable, by name. */
    public Map<String, String> variables() {
        return java.util.Collections.unmodifiableMap(variables);
    }

    /** The raw value of {@code variable}, blank or not. */
    public Optional<String> raw(String variable) {
        return Optional.ofNullable(variables.get(variable));
    }

    /** Whether {@code variable} is set (even blank). */
    public boolean isSet(String variable) {
        return variables.containsKey(variable);
    }

    /** Whether {@code value} is blank: empty or only white space. */
    public static boolean isBlank(String value) {
        return value.isBlank();
    }

    /** The problem of a blank variable. */
    public static ConfigProblem blank(String scope, String setting, String variable) {
        return new ConfigProblem(scope, setting, variable, "",
                "is set but blank: give it a value or unset it (a blank variable is a deployment mistake, not 'unset')");
    }

    /**
     * Reads {@code setting} from {@code variable} or its {@code aliases}, recording every problem (blank, not a value
     * of the setting's type, outside its range, aliases that disagree) in {@code problems}.
     *
     * @return the value, or empty when no variable is set or there was a problem
     */
    public <T> Optional<T> read(Problems problems, String scope, Setting<T> setting, String variable, String... aliases) {
        String foundIn = null;
        String foundRaw = null;
        T found = null;
        List<String> names = new ArrayList<>();
        names.add(variable);
        names.addAll(List.of(aliases));
        boolean failed = false;
        for (String name : names) {
            String raw = variables.get(name);
            if (raw == null) {
                continue;
            }
            if (isBlank(raw)) {
                problems.add(blank(scope, setting.name(), name));
                failed = true;
                continue;
            }
            T value;
            try {
                value = setting.parse(raw);
            } catch (IllegalArgumentException e) {
                problems.add(new ConfigProblem(scope, setting.name(), name, setting.showRaw(raw.trim()), e.getMessage()));
                failed = true;
                continue;
            }
            String fix = setting.problem(value);
            if (fix != null) {
                problems.add(new ConfigProblem(scope, setting.name(), name, setting.showRaw(raw.trim()), fix));
                failed = true;
                continue;
            }
            if (foundIn == null) {
                foundIn = name;
                foundRaw = raw;
                found = value;
            } else if (!Objects.equals(found, value)) {
                problems.add(conflict(scope, setting, foundIn, foundRaw, name, raw));
                failed = true;
            }
        }
        return failed ? Optional.empty() : Optional.ofNullable(found);
    }

    /** The variable a setting was read from by {@link #read}: the first of {@code variable} and its aliases that is set. */
    public Optional<String> sourceOf(String variable, String... aliases) {
        if (variables.containsKey(variable)) {
            return Optional.of(variable);
        }
        for (String alias : aliases) {
            if (variables.containsKey(alias)) {
                return Optional.of(alias);
            }
        }
        return Optional.empty();
    }

    /** The problem of two variables that set one setting to different values (secrets not shown). */
    public static <T> ConfigProblem conflict(String scope, Setting<T> setting, String first, String firstRaw, String second, String secondRaw) {
        String both = setting.isSecret()
                ? first + " and " + second + " are both set, to different values (not shown)"
                : first + " = '" + setting.showRaw(firstRaw.trim()) + "' and " + second + " = '" + setting.showRaw(secondRaw.trim()) + "' disagree";
        return new ConfigProblem(scope, setting.name(), second, setting.isSecret() ? ConfigProblem.MASKED : setting.showRaw(secondRaw.trim()),
                both + ": keep one of them, or give both the same value (neither silently wins)");
    }

    /**
     * Records a warning for every variable starting with {@code prefix} that is not in {@code known} and not
     * {@code accepted} by the caller, naming the closest known variable. The warnings are logged and kept in
     * {@link #warnings()}.
     */
    public void warnUnknown(String prefix, Collection<String> known, java.util.function.Predicate<String> accepted) {
        for (String name : variables.keySet()) {
            if (name.startsWith(prefix) && !known.contains(name) && !accepted.test(name)) {
                String closest = closest(name, known);
                warn(name + " is set but no part of Sluice reads it, so it is ignored"
                        + (closest == null ? "" : "; the closest known variable is " + closest)
                        + " (rename it if it is meant for Sluice)");
            }
        }
    }

    /** Records and logs a warning. */
    public void warn(String warning) {
        if (!warnings.contains(warning)) {
            warnings.add(warning);
            LOG.warn(warning);
        }
    }

    /** The warnings recorded so far, in order. */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** The name in {@code known} closest to {@code name} by edit distance, or {@code null} when {@code known} is empty. */
    public static String closest(String name, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : Set.copyOf(known).stream().sorted().toList()) {
            int distance = distance(name, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
