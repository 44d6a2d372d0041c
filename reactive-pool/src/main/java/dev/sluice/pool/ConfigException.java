package dev.sluice.pool;

/**
 * A configuration value was refused. The message names the setting, the value and what is allowed, and
 * never contains a password.
 */
public class ConfigException extends IllegalArgumentException {

    private final String setting;

    /**
     * @param setting the setting, as the user wrote it (builder method or environment variable)
     * @param value   the refused value as text (pass {@code "(hidden)"} for secrets)
     * @param rule    what is allowed, and if useful how to fix it
     */
    public ConfigException(String setting, Object value, String rule) {
        super(setting + " = " + (value == null ? "(missing)" : "'" + value + "'") + " is invalid: " + rule);
        this.setting = setting;
    }

    /** A refusal that is not about one value (for example two settings that contradict each other). */
    public ConfigException(String setting, String message) {
        super(message);
        this.setting = setting;
    }

    /** The setting that was refused. */
    public String setting() {
        return setting;
    }
}
