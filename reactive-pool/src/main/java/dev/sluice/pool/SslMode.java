package dev.sluice.pool;

import dev.sluice.pool.config.ConfigException;
import java.util.Locale;

/** TLS mode of a PostgreSQL connection, with libpq's names and meanings. */
public enum SslMode {
    /** Plain TCP only. */
    DISABLE("disable"),
    /** Plain first, TLS when the server insists. */
    ALLOW("allow"),
    /** TLS when the server offers it, plain otherwise (libpq's default). */
    PREFER("prefer"),
    /** TLS always, without checking the certificate. */
    REQUIRE("require"),
    /** TLS, and the server certificate must be signed by a trusted CA. */
    VERIFY_CA("verify-ca"),
    /** TLS, trusted CA, and the certificate must name the host. */
    VERIFY_FULL("verify-full");

    private final String libpqName;

    SslMode(String libpqName) {
        this.libpqName = libpqName;
    }

    /** The libpq spelling, as in {@code sslmode=verify-full}. */
    public String libpqName() {
        return libpqName;
    }

    /**
     * Parses libpq's spelling ({@code verify-full}) or the constant name ({@code VERIFY_FULL}).
     *
     * @throws ConfigException naming the setting, the value and the valid modes
     */
    public static SslMode parse(String setting, String value) {
        if (value != null) {
            String v = value.trim().toLowerCase(Locale.ROOT).replace('_', '-');
            for (SslMode mode : values()) {
                if (mode.libpqName.equals(v)) {
                    return mode;
                }
            }
        }
        throw new ConfigException(setting, value, "must be one of disable, allow, prefer, require, verify-ca, verify-full");
    }
}
