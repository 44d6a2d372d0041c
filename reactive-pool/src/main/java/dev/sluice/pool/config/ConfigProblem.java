package dev.sluice.pool.config;

import java.util.Objects;

/**
 * One refused configuration value: which setting, where it came from, the value as written (masked for
 * secrets) and what to do about it.
 *
 * @param scope    what the setting belongs to, such as {@code pool 'primary'} or {@code bucket 'orders'}; empty
 *                 when it belongs to nothing narrower than the type being built
 * @param setting  the declared setting name, as a builder method names it ({@code maxConnections})
 * @param variable the environment variable (or URL part) the value came from, or {@code null} when it was set in code
 * @param value    the refused value as text, {@link #MASKED} for a secret, or {@code null} when it is missing
 * @param fix      what is allowed and how to fix it
 */
public record ConfigProblem(String scope, String setting, String variable, String value, String fix) {

    /** What a secret value is shown as. */
    public static final String MASKED = "(hidden)";

    /** @throws NullPointerException when scope, setting or fix is null */
    public ConfigProblem {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(setting, "setting");
        Objects.requireNonNull(fix, "fix");
    }

    /** A problem of a setting set in code. */
    public static ConfigProblem of(String scope, String setting, Object value, String fix) {
        return new ConfigProblem(scope, setting, null, value == null ? null : String.valueOf(value), fix);
    }

    /** The same problem, attributed to the environment variable (or URL part) the value came from. */
    public ConfigProblem fromVariable(String variable) {
        return new ConfigProblem(scope, setting, variable, value, fix);
    }

    /** The same problem with more text after the fix (for example where a related value came from). */
    public ConfigProblem withFix(String fix) {
        return new ConfigProblem(scope, setting, variable, value, fix);
    }

    /**
     * The variable when the value came from one (without the URL part, {@code DATABASE_URL} for
     * {@code DATABASE_URL (port)}), else the setting: what the user has to change.
     */
    public String source() {
        if (variable == null) {
            return setting;
        }
        int space = variable.indexOf(' ');
        return space < 0 ? variable : variable.substring(0, space);
    }

    /**
     * One line. From the environment: {@code PG_MAX_CONNECTIONS = '0' (pool 'primary': maxConnections): must be
     * between 1 and 10,000}; set in code: {@code pool 'primary': maxConnections = '0': must be ...}. A missing value
     * is shown as {@code (missing)}.
     */
    public String message() {
        String shown = value == null ? " = (missing)" : " = '" + value + "'";
        String where = scope.isEmpty() ? setting : scope + ": " + setting;
        if (variable != null) {
            return variable + shown + " (" + where + "): " + fix;
        }
        return where + shown + ": " + fix;
    }

    @Override
    public String toString() {
        return message();
    }
}
