package dev.sluice.pool.internal;

import dev.sluice.pool.PgPoolConfig;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.client.SSLMode;

/**
 * The TLS part of a pool's driver configuration, in one place: the mode, the CA certificate that verifies the
 * server, and the client certificate and key that servers asking for one ({@code cert} authentication,
 * {@code clientcert=verify-full}) check.
 */
public final class DriverTls {

    private DriverTls() {
    }

    /** Sets {@code config}'s TLS mode, CA certificate and client certificate on {@code builder}. */
    public static PostgresqlConnectionConfiguration.Builder apply(PgPoolConfig config, PostgresqlConnectionConfiguration.Builder builder) {
        builder.sslMode(SSLMode.fromValue(config.sslMode().libpqName()));
        config.sslRootCert().ifPresent(path -> builder.sslRootCert(path.toString()));
        config.sslCert().ifPresent(path -> builder.sslCert(path.toString()));
        config.sslKey().ifPresent(path -> builder.sslKey(path.toString()));
        return builder;
    }
}
