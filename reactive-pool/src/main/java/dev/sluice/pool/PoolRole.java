package dev.sluice.pool;

import dev.sluice.pool.config.ConfigException;
import java.util.Locale;

/** What a pool is for. The role decides routing (issue 4) and sensible per-role settings. */
public enum PoolRole {
    /** Writes and consistent reads. */
    PRIMARY,
    /** Read-only copies of the primary; there may be several. */
    REPLICA,
    /** Maintenance and batch work, kept away from request traffic. */
    BACKGROUND,
    /** Long reporting queries with their own server settings (for example {@code work_mem}). */
    ANALYTICS;

    /**
     * Parses a role name, case-insensitively.
     *
     * @param setting the setting the value came from, named in the error
     * @throws ConfigException naming the setting, the value and the valid roles
     */
    public static PoolRole parse(String setting, String value) {
        if (value != null) {
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException ignored) {
                // reported below with the valid choices
            }
        }
        throw new ConfigException(setting, value, "must be one of PRIMARY, REPLICA, BACKGROUND, ANALYTICS");
    }
}
