package dev.sluice.pool;

import java.util.regex.Pattern;

/**
 * The tenant of a transaction, for PostgreSQL row-level security. {@link PgPool#withTenant} runs
 * {@code SELECT set_config('app.tenant_id', $1, true)} first in the transaction: the setting is local to
 * the transaction, so it can neither outlive it nor reach the next user of the connection. Policies read it
 * with {@code current_setting('app.tenant_id', true)}; see {@code dev/sluice/pool/tenant-rls-example.sql}.
 */
public final class TenantContext {

    /** The setting that carries the tenant. */
    public static final String SETTING = "app.tenant_id";
    /** Tenant ids: a letter or digit, then letters, digits, {@code _} and {@code -}; 1 to 64 characters. */
    public static final Pattern TENANT_ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$");

    private TenantContext() {
    }

    /**
     * Checks a tenant id before anything reaches the server.
     *
     * @throws IllegalArgumentException naming the value and the allowed pattern
     */
    public static String validate(String tenantId) {
        if (tenantId == null || !TENANT_ID.matcher(tenantId).matches()) {
            throw new IllegalArgumentException("tenant id " + (tenantId == null ? "(missing)" : "'" + printable(tenantId) + "'")
                    + " is invalid: it must match " + TENANT_ID.pattern() + " (letters, digits, '_' and '-', at most 64)");
        }
        return tenantId;
    }

    private static String printable(String s) {
        String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
