package dev.sluice.pool;

import dev.sluice.pool.internal.DriverTls;
import dev.sluice.testkit.EmbeddedPostgresServer;
import dev.sluice.testkit.TestCertificates;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import io.r2dbc.spi.Connection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Client certificates from the environment (libpq's names and Sluice's) reach a real PostgreSQL server that
 * runs with {@code ssl=on} and lets user {@code certuser} in only with a certificate signed by the test CA.
 */
class ClientCertificateTest {

    private static final String USER = "certuser";

    @TempDir
    static Path directory;
    private static EmbeddedPostgresServer server;
    private static TestCertificates certificates;

    @BeforeAll
    static void startServerRequiringClientCertificates() throws Exception {
        certificates = TestCertificates.generate(directory.resolve("tls"), USER);
        server = EmbeddedPostgresServer.builder()
                .tls(certificates.serverCertificate(), certificates.serverKey(), certificates.caCertificate())
                .hbaRule("hostssl all " + USER + " 127.0.0.1/32 cert")
                .hbaRule("hostssl all " + USER + " ::1/128 cert")
                .hbaRule("host all " + USER + " all reject")
                .start();
        try (var jdbc = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.port() + "/postgres", "postgres", "");
             var statement = jdbc.createStatement()) {
            statement.execute("CREATE ROLE " + USER + " LOGIN");
        }
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private static Map<String, String> libpqEnvironment() {
        return Map.of(
                "PGHOST", "127.0.0.1",
                "PGPORT", String.valueOf(server.port()),
                "PGDATABASE", "postgres",
                "PGUSER", USER,
                "PGSSLMODE", "verify-ca",
                "PGSSLROOTCERT", certificates.caCertificate().toString(),
                "PGSSLCERT", certificates.clientCertificate().toString(),
                "PGSSLKEY", certificates.clientKey().toString());
    }

    /** Whether the pool's session runs over TLS, and the client certificate's subject the server saw. */
    private static List<Object> sslOfOwnSession(PgPoolConfig config) {
        PgPool pool = PgPool.create(config);
        try {
            return pool.queryOne("SELECT ssl, client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                    row -> List.<Object>of(row.get(0, Boolean.class), row.get(1, String.class))).block(Duration.ofSeconds(30));
        } finally {
            pool.stop().block(Duration.ofSeconds(30));
        }
    }

    @Test
    void libpqVariablesGiveTheClientCertificateThatTheServerRequires() {
        PgPoolConfig config = PgEnvironment.loadPool(libpqEnvironment(), "primary");

        assertThat(config.sslCert()).contains(certificates.clientCertificate());
        assertThat(sslOfOwnSession(config)).containsExactly(true, "/CN=" + USER);
    }

    @Test
    void sluiceVariablesGiveTheSameCertificate() {
        PgPoolConfig config = PgEnvironment.loadPool(Map.of(
                "DATABASE_URL", "postgresql://" + USER + "@127.0.0.1:" + server.port() + "/postgres?sslmode=verify-ca&sslrootcert="
                        + certificates.caCertificate(),
                "PG_SSL_CERT", certificates.clientCertificate().toString(),
                "PG_SSL_KEY", certificates.clientKey().toString()), "primary");

        assertThat(sslOfOwnSession(config)).containsExactly(true, "/CN=" + USER);
    }

    @Test
    void withoutTheCertificateTheServerRefusesTheUser() {
        PgPoolConfig config = PgEnvironment.loadPool(Map.of(
                "PGHOST", "127.0.0.1",
                "PGPORT", String.valueOf(server.port()),
                "PGUSER", USER,
                "PGSSLMODE", "verify-ca",
                "PGSSLROOTCERT", certificates.caCertificate().toString()), "primary");

        assertThatThrownBy(() -> sslOfOwnSession(config)).hasStackTraceContaining("connection requires a valid client certificate");
    }
}
