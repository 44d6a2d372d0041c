package dev.sluice.pool;

/**
 * A refusal of one value, kept for the policy records that still throw it by this name. It is a
 * {@link dev.sluice.pool.config.ConfigException} with one problem: catch that type, which every configuration
 * of Sluice throws.
 *
 * @deprecated throw and catch {@link dev.sluice.pool.config.ConfigException}
 */
@Deprecated
public class ConfigException extends dev.sluice.pool.config.ConfigException {

    /**
     * @param setting the setting, as the user wrote it
     * @param value   the refused value as text (pass {@code "(hidden)"} for secrets)
     * @param rule    what is allowed, and if useful how to fix it
     */
    public ConfigException(String setting, Object value, String rule) {
        super(setting, value, rule);
    }
}
