package dev.sluice.pool;

import dev.sluice.pool.config.ConfigException;
import dev.sluice.pool.config.Environment;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class PgEnvironmentTest {

    /** A real file: sslRootCert must be readable when the configuration is built. */
    private static final Path CA_FILE = createCaFile();

    private static Path createCaFile() {
        try {
            Path file = java.nio.file.Files.createTempFile("sluice-test-ca", ".pem");
            file.toFile().deleteOnExit();
            return file;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }


    /** A password distinctive enough that finding it (or a piece of it) in a message cannot be a coincidence. */
    private static final String PASSWORD = "Hunter2-Zebra";

    private static Map<String, String> env(String... namesAndValues) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            env.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return env;
    }

    private static PgPoolConfig pool(RegistryConfig registry, String name) {
        return registry.pools().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }

    private static PgPoolConfig primary(Map<String, String> env) {
        return pool(PgEnvironment.load(env), "primary");
    }

    private static ConfigException refusal(Map<String, String> env) {
        return catchThrowableOfType(ConfigException.class, () -> PgEnvironment.load(env));
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertRefused(Map<String, String> env, String variable) {
        ConfigException refusal = refusal(env);
        assertThat(refusal).as("loading %s is refused", env.keySet()).isNotNull();
        assertThat(refusal.setting()).isEqualTo(variable);
        return assertThat(refusal).hasMessageContaining(variable);
    }

    @Nested
    class DatabaseUrl {

        @Test
        void givesHostPortDatabaseAndPercentDecodedCredentials() {
            PgPoolConfig config = primary(env("DATABASE_URL",
                    "postgresql://app%40corp:p%40ss%2Fw%3Ard%25+x@db.internal:6543/orders%20db"));

            assertThat(config.user()).isEqualTo("app@corp");
            assertThat(config.password()).contains("p@ss/w:rd%+x");
            assertThat(config.host()).isEqualTo("db.internal");
            assertThat(config.port()).isEqualTo(6543);
            assertThat(config.database()).isEqualTo("orders db");
            assertThat(config.role()).isEqualTo(PoolRole.PRIMARY);
        }

        @Test
        void acceptsThePostgresSchemeAndLeavesPortAndDatabaseToTheDefaults() {
            PgPoolConfig config = primary(env("DATABASE_URL", "postgres://alice@db.internal"));

            assertThat(config.user()).isEqualTo("alice");
            assertThat(config.password()).isEmpty();
            assertThat(config.host()).isEqualTo("db.internal");
            assertThat(config.port()).isEqualTo(5432);
            assertThat(config.database()).isEqualTo("postgres");
        }

        @Test
        void acceptsAnIpv6AddressInBrackets() {
            PgPoolConfig config = primary(env("DATABASE_URL", "postgresql://alice@[::1]:5433/app"));

            assertThat(config.host()).isEqualTo("::1");
            assertThat(config.port()).isEqualTo(5433);
        }

        @Test
        void queryParametersSetTheirSettingsWithLibpqAndPostgresqlUnits() {
            PgPoolConfig config = primary(env("DATABASE_URL", "postgresql://alice:" + PASSWORD + "@db/app"
                    + "?sslmode=verify-full&sslrootcert=" + java.net.URLEncoder.encode(CA_FILE.toString(), java.nio.charset.StandardCharsets.UTF_8) + "&application_name=orders-api"
                    + "&connect_timeout=10&statement_timeout=2500"));

            assertThat(config.sslMode()).isEqualTo(SslMode.VERIFY_FULL);
            assertThat(config.sslRootCert()).contains(CA_FILE);
            assertThat(config.applicationName()).isEqualTo("orders-api");
            assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
            assertThat(config.statementTimeout()).contains(Duration.ofMillis(2500));
        }

        @Test
        void optionsBecomeServerSettingsExceptThoseWithTheirOwnSetting() {
            PgPoolConfig config = primary(env("DATABASE_URL", "postgresql://alice@db/app?options="
                    + "-c%20work_mem%3D64MB%20-cjit%3Doff%20--lock-timeout%3D5s%20-c%20statement_timeout%3D5000"));

            assertThat(config.serverSettings())
                    .containsExactly(Map.entry("work_mem", "64MB"), Map.entry("jit", "off"), Map.entry("lock_timeout", "5s"));
            assertThat(config.statementTimeout()).contains(Duration.ofSeconds(5));
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "mysql://alice:Hunter2-Zebra@db/app",
                "jdbc:mysql://db/app?user=alice&password=Hunter2-Zebra",
                "postgresql://alice:Hunter2-Zebra@db:54x2/app",
                "postgresql://alice:Hunter2-Zebra@db:70000/app",
                "postgresql://alice:Hunter2-Zebra@db1,db2/app",
                "postgresql://alice:Hunter2/Zebra@db/app",
                "postgresql://alice:Hunter2?Zebra@db/app",
                "postgresql://alice:Hunter2-Zebra%zz@db/app",
                "postgresql://alice:Hunter2-Zebra%C3@db/app",
                "postgresql://alice:Hunter2-Zebra@[::1/app",
                "postgresql://alice:Hunter2-Zebra@::1/app",
                "postgresql://alice:Hunter2-Zebra@%2Fvar%2Frun%2Fpostgresql/app",
                "postgresql://alice:Hunter2-Zebra@db/app#main",
                "postgresql://alice:Hunter2-Zebra@db/app?sslmode=sometimes",
                "postgresql://alice:Hunter2-Zebra@db/app?sslmode=require&sslmode=disable",
                "postgresql://alice:Hunter2-Zebra@db/app?sslmode",
                "postgresql://alice:Hunter2-Zebra@db/app?sslmode=",
                "postgresql://alice:Hunter2-Zebra@db/app?target_session_attrs=any",
                "postgresql://alice:Hunter2-Zebra@db/app?password=Other-Zebra",
                "postgresql://alice:Hunter2-Zebra@db/app?connect_timeout=0",
                "postgresql://alice:Hunter2-Zebra@db/app?connect_timeout=soon",
                "postgresql://alice:Hunter2-Zebra@db/app?statement_timeout=-1",
                "postgresql://alice:Hunter2-Zebra@db/app?options=-d%205",
                "postgresql://alice:Hunter2-Zebra@db/app?options=-c%20work_mem",
                "postgresql://alice:Hunter2-Zebra@db/app?options=-c%20Work%20Mem%3D1",
                "postgresql://alice:Hunter2-Zebra@db/app?application_name=it%27s",
                "postgresql://alice:Hunter2-Zebra@db:0/app",
                "   ",
        })
        void malformedUrlIsRefusedNamingTheVariableWithoutThePassword(String url) {
            ConfigException refusal = refusal(env("DATABASE_URL", url));

            assertThat(refusal).isNotNull();
            assertThat(refusal.setting()).isEqualTo("DATABASE_URL");
            assertThat(refusal.getMessage())
                    .contains("DATABASE_URL")
                    .doesNotContain("Hunter2")
                    .doesNotContain("Zebra");
            assertThat(refusal.toString()).doesNotContain("Hunter2");
        }

        @Test
        void malformedUrlMessageShowsTheUrlWithThePasswordMasked() {
            assertRefused(env("DATABASE_URL", "postgresql://alice:" + PASSWORD + "@db:54x2/app?sslmode=require"), "DATABASE_URL")
                    .hasMessageContaining("postgresql://alice:***@db:54x2/app")
                    .hasMessageContaining("port '54x2'")
                    .hasMessageContaining("between 1 and 65535");
        }

        @Test
        void unencodedSlashInPasswordIsExplainedWithTheEncodingToUse() {
            assertRefused(env("DATABASE_URL", "postgresql://alice:Hunter2/Zebra@db/app"), "DATABASE_URL")
                    .hasMessageContaining("percent-encode")
                    .hasMessageContaining("%2F");
        }

        @Test
        void unknownQueryParameterIsNamedWithTheSupportedList() {
            assertRefused(env("DATABASE_URL", "postgresql://alice@db/app?target_session_attrs=any"), "DATABASE_URL")
                    .hasMessageContaining("'target_session_attrs'")
                    .hasMessageContaining("application_name, connect_timeout, options, password, sslcert, sslkey, sslmode, "
                            + "sslrootcert, statement_timeout, user");
        }

        @Test
        void unknownSslModeListsTheValidModes() {
            assertRefused(env("DATABASE_URL", "postgresql://alice@db/app?sslmode=sometimes"), "DATABASE_URL")
                    .hasMessageContaining("'sometimes'")
                    .hasMessageContaining("disable, allow, prefer, require, verify-ca, verify-full");
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "jdbc:postgresql://db.internal:6432/orders?user=alice&password=" + PASSWORD + "&sslmode=require",
                "r2dbc:postgresql://alice:" + PASSWORD + "@db.internal:6432/orders?sslmode=require",
                "postgresql://alice:" + PASSWORD + "@db.internal:6432/orders?sslmode=require",
        })
        void jdbcAndR2dbcFormsAreReadAsThePostgresqlUrl(String url) {
            PgPoolConfig config = primary(env("DATABASE_URL", url));

            assertThat(config.host()).isEqualTo("db.internal");
            assertThat(config.port()).isEqualTo(6432);
            assertThat(config.database()).isEqualTo("orders");
            assertThat(config.user()).isEqualTo("alice");
            assertThat(config.password()).contains(PASSWORD);
            assertThat(config.sslMode()).isEqualTo(SslMode.REQUIRE);
        }

        @Test
        void otherJdbcUrlsAreRefusedWithTheAcceptedForms() {
            assertRefused(env("DATABASE_URL", "jdbc:mysql://db/app"), "DATABASE_URL")
                    .hasMessageContaining("jdbc:postgresql://, r2dbc:postgresql:// and postgresql://");
        }

        @Test
        void clientCertificateComesFromTheUrlParameters() {
            PgPoolConfig config = primary(env("DATABASE_URL", "postgresql://alice@db/app?sslmode=require&sslcert="
                    + CA_FILE + "&sslkey=" + CA_FILE));

            assertThat(config.sslCert()).contains(CA_FILE);
            assertThat(config.sslKey()).contains(CA_FILE);
        }
    }

    @Nested
    class LibpqAliases {

        @ParameterizedTest
        @CsvSource({
                "PGHOST, db.internal, host",
                "PGPORT, 6432, port",
                "PGDATABASE, orders, database",
                "PGUSER, alice, user",
                "PGSSLMODE, require, sslMode",
                "PGAPPNAME, orders-api, applicationName",
                "PGCONNECT_TIMEOUT, 7, connectTimeout",
        })
        void libpqVariableSetsTheDefaultPool(String variable, String value, String setting) {
            Map<String, String> env = env(variable, value);
            if (!variable.equals("PGUSER")) {
                env.put("PG_USER", "app");
            }
            PgPoolConfig config = primary(env);

            Object actual = switch (setting) {
                case "host" -> config.host();
                case "port" -> String.valueOf(config.port());
                case "database" -> config.database();
                case "user" -> config.user();
                case "sslMode" -> config.sslMode().libpqName();
                case "applicationName" -> config.applicationName();
                default -> config.connectTimeout();
            };
            assertThat(actual).isEqualTo(setting.equals("connectTimeout") ? Duration.ofSeconds(7) : value);
        }

        @Test
        void libpqPasswordAndCertificatesSetTheDefaultPool() {
            PgPoolConfig config = primary(env("PGUSER", "app", "PGPASSWORD", PASSWORD, "PGSSLMODE", "verify-ca",
                    "PGSSLROOTCERT", CA_FILE.toString(), "PGSSLCERT", CA_FILE.toString(), "PGSSLKEY", CA_FILE.toString()));

            assertThat(config.password()).contains(PASSWORD);
            assertThat(config.sslRootCert()).contains(CA_FILE);
            assertThat(config.sslCert()).contains(CA_FILE);
            assertThat(config.sslKey()).contains(CA_FILE);
        }

        @Test
        void pgSslCertAndKeySetTheClientCertificateAndNamedPoolsInheritIt() {
            RegistryConfig registry = PgEnvironment.load(env("PG_USER", "app", "PG_SSL_MODE", "require",
                    "PG_SSL_CERT", CA_FILE.toString(), "PG_SSL_KEY", CA_FILE.toString(), "PG_REPLICA_HOST", "db2"));

            assertThat(pool(registry, "replica").sslCert()).contains(CA_FILE);
            assertThat(pool(registry, "replica").sslKey()).contains(CA_FILE);
        }

        @Test
        void aliasAndOwnVariableThatAgreeAreAccepted() {
            PgPoolConfig config = primary(env("PG_USER", "app", "PGUSER", "app", "PGCONNECT_TIMEOUT", "10", "PG_CONNECT_TIMEOUT", "10s"));

            assertThat(config.user()).isEqualTo("app");
            assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        }

        @Test
        void aliasAndOwnVariableThatDisagreeAreRefusedNamingBoth() {
            assertRefused(env("PG_USER", "app", "PGHOST", "db1", "PG_HOST", "db2"), "PG_HOST")
                    .hasMessageContaining("PG_HOST = 'db2'")
                    .hasMessageContaining("PGHOST = 'db1'")
                    .hasMessageContaining("keep one");
            ConfigException passwords = refusal(env("PG_USER", "app", "PGPASSWORD", PASSWORD, "PG_PASSWORD", "Other-Secret-42"));
            assertThat(passwords.getMessage()).contains("PGPASSWORD", "PG_PASSWORD", "not shown")
                    .doesNotContain(PASSWORD).doesNotContain("Other-Secret-42");
        }

        @Test
        void aliasAndUrlThatDisagreeAreRefusedNamingBoth() {
            assertRefused(env("DATABASE_URL", "postgresql://alice@db1/app", "PGHOST", "db2"), "PGHOST")
                    .hasMessageContaining("PGHOST = 'db2'")
                    .hasMessageContaining("DATABASE_URL (host) = 'db1'");
        }
    }

    @Nested
    class UrlTogetherWithPgVariables {

        @Test
        void variablesAddWhatTheUrlDoesNotSay() {
            PgPoolConfig config = primary(env(
                    "DATABASE_URL", "postgresql://alice:" + PASSWORD + "@db.internal/orders",
                    "PG_SSL_MODE", "require",
                    "PG_MAX_CONNECTIONS", "30",
                    "PG_STATEMENT_TIMEOUT", "15s"));

            assertThat(config.host()).isEqualTo("db.internal");
            assertThat(config.sslMode()).isEqualTo(SslMode.REQUIRE);
            assertThat(config.maxConnections()).isEqualTo(30);
            assertThat(config.statementTimeout()).contains(Duration.ofSeconds(15));
        }

        @Test
        void differentValuesForTheSameSettingAreRefusedNamingBoth() {
            assertRefused(env("DATABASE_URL", "postgresql://alice@db1/app", "PG_HOST", "db2"), "PG_HOST")
                    .hasMessageContaining("PG_HOST = 'db2'")
                    .hasMessageContaining("DATABASE_URL (host) = 'db1'")
                    .hasMessageContaining("keep one");
        }

        @Test
        void queryParameterAndVariableForTheSameSettingConflictToo() {
            assertRefused(env("DATABASE_URL", "postgresql://alice@db/app?sslmode=require", "PG_SSL_MODE", "disable"),
                    "PG_SSL_MODE")
                    .hasMessageContaining("DATABASE_URL (parameter sslmode) = 'require'");
        }

        @Test
        void equalValuesAreAcceptedEvenWhenWrittenDifferently() {
            PgPoolConfig config = primary(env(
                    "DATABASE_URL", "postgresql://alice@db:5433/app?connect_timeout=10&statement_timeout=5000",
                    "PG_PORT", "5433",
                    "PG_CONNECT_TIMEOUT", "10s",
                    "PG_STATEMENT_TIMEOUT", "5s",
                    "PG_USER", "alice"));

            assertThat(config.port()).isEqualTo(5433);
            assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
            assertThat(config.statementTimeout()).contains(Duration.ofSeconds(5));
        }

        @Test
        void conflictingPasswordsAreRefusedWithoutShowingEither() {
            ConfigException refusal = refusal(env(
                    "DATABASE_URL", "postgresql://alice:" + PASSWORD + "@db/app",
                    "PG_PASSWORD", "Other-Secret-42"));

            assertThat(refusal.setting()).isEqualTo("PG_PASSWORD");
            assertThat(refusal.getMessage())
                    .contains("PG_PASSWORD", "DATABASE_URL (password)", "not shown")
                    .doesNotContain(PASSWORD)
                    .doesNotContain("Other-Secret-42");
        }
    }

    @Nested
    class PgVariables {

        @Test
        void everyVariableReachesItsSetting() {
            PgPoolConfig config = primary(env(
                    "PG_HOST", "db.internal",
                    "PG_PORT", "6432",
                    "PG_DATABASE", "orders",
                    "PG_USER", "app",
                    "PG_PASSWORD", PASSWORD,
                    "PG_SSL_MODE", "verify-ca",
                    "PG_SSL_ROOT_CERT", CA_FILE.toString(),
                    "PG_MIN_CONNECTIONS", "3",
                    "PG_MAX_CONNECTIONS", "25",
                    "PG_MAX_PENDING_ACQUIRES", "500",
                    "PG_ACQUIRE_TIMEOUT", "750ms",
                    "PG_CONNECT_TIMEOUT", "7s",
                    "PG_IDLE_TIMEOUT", "5m",
                    "PG_MAX_LIFETIME", "1h",
                    "PG_LIFETIME_JITTER", "0.2",
                    "PG_RECYCLE_AFTER_USES", "10000",
                    "PG_VALIDATION", "query",
                    "PG_VALIDATION_QUERY", "SELECT 1",
                    "PG_VALIDATION_TIMEOUT", "1s",
                    "PG_STATEMENT_TIMEOUT", "PT30S",
                    "PG_IDLE_IN_TRANSACTION_TIMEOUT", "45s",
                    "PG_APP_NAME", "orders-api",
                    "PG_STATEMENT_CACHE_SIZE", "0",
                    "PG_SLOW_QUERY_THRESHOLD", "250ms",
                    "PG_LEAK_DETECTION_THRESHOLD", "2min",
                    "PG_SHUTDOWN_GRACE_PERIOD", "0s",
                    "PG_SERVER_SETTINGS", "work_mem=16MB, search_path=orders"));

            assertThat(config.host()).isEqualTo("db.internal");
            assertThat(config.port()).isEqualTo(6432);
            assertThat(config.database()).isEqualTo("orders");
            assertThat(config.user()).isEqualTo("app");
            assertThat(config.password()).contains(PASSWORD);
            assertThat(config.sslMode()).isEqualTo(SslMode.VERIFY_CA);
            assertThat(config.sslRootCert()).contains(CA_FILE);
            assertThat(config.minConnections()).isEqualTo(3);
            assertThat(config.maxConnections()).isEqualTo(25);
            assertThat(config.maxPendingAcquires()).isEqualTo(500);
            assertThat(config.acquireTimeout()).isEqualTo(Duration.ofMillis(750));
            assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(7));
            assertThat(config.idleTimeout()).isEqualTo(Duration.ofMinutes(5));
            assertThat(config.maxLifetime()).isEqualTo(Duration.ofHours(1));
            assertThat(config.lifetimeJitter()).isEqualTo(0.2);
            assertThat(config.recycleAfterUses()).isEqualTo(10_000);
            assertThat(config.validation()).isEqualTo(ValidationMode.QUERY);
            assertThat(config.validationQuery()).contains("SELECT 1");
            assertThat(config.validationTimeout()).isEqualTo(Duration.ofSeconds(1));
            assertThat(config.statementTimeout()).contains(Duration.ofSeconds(30));
            assertThat(config.idleInTransactionTimeout()).contains(Duration.ofSeconds(45));
            assertThat(config.applicationName()).isEqualTo("orders-api");
            assertThat(config.statementCacheSize()).isZero();
            assertThat(config.slowQueryThreshold()).isEqualTo(Duration.ofMillis(250));
            assertThat(config.leakDetectionThreshold()).contains(Duration.ofMinutes(2));
            assertThat(config.shutdownGracePeriod()).isZero();
            assertThat(config.serverSettings()).containsExactly(Map.entry("work_mem", "16MB"), Map.entry("search_path", "orders"));
        }

        @ParameterizedTest
        @CsvSource({
                "PG_ACQUIRE_TIMEOUT, 500ms, PT0.5S",
                "PG_ACQUIRE_TIMEOUT, 5s, PT5S",
                "PG_ACQUIRE_TIMEOUT, 5S, PT5S",
                "PG_ACQUIRE_TIMEOUT, 2m, PT2M",
                "PG_ACQUIRE_TIMEOUT, 2min, PT2M",
                "PG_ACQUIRE_TIMEOUT, 1h, PT1H",
                "PG_ACQUIRE_TIMEOUT, 24h, PT24H",
                "PG_ACQUIRE_TIMEOUT, 1d, PT24H",
                "PG_ACQUIRE_TIMEOUT, PT1M30S, PT1M30S",
                "PG_ACQUIRE_TIMEOUT, pt250s, PT4M10S",
                "PG_CONNECT_TIMEOUT, 1500ms, PT1.5S",
                "PGCONNECT_TIMEOUT, 10, PT10S",
                "PG_STATEMENT_TIMEOUT, 2m, PT2M",
                "PG_IDLE_IN_TRANSACTION_TIMEOUT, 1m, PT1M",
        })
        void durationsTakeSuffixesAndBareNumbersOnlyWherePostgresqlDefinesTheUnit(String variable, String value,
                                                                                   Duration expected) {
            PgPoolConfig config = primary(env("PG_USER", "app", variable, value));

            Duration actual = switch (variable) {
                case "PG_ACQUIRE_TIMEOUT" -> config.acquireTimeout();
                case "PG_CONNECT_TIMEOUT", "PGCONNECT_TIMEOUT" -> config.connectTimeout();
                case "PG_STATEMENT_TIMEOUT" -> config.statementTimeout().orElseThrow();
                default -> config.idleInTransactionTimeout().orElseThrow();
            };
            assertThat(actual).isEqualTo(expected);
        }

        @ParameterizedTest
        @CsvSource({
                "PG_ACQUIRE_TIMEOUT, 5, write 5s, 5ms or",
                "PG_IDLE_TIMEOUT, 600, a bare number's unit would be a guess",
                "PG_CONNECT_TIMEOUT, 10, a bare number's unit would be a guess",
                "PG_STATEMENT_TIMEOUT, 1500, a bare number's unit would be a guess",
                "PG_ACQUIRE_TIMEOUT, 1.5s, 250ms, 30s, 5m, 1h",
                "PG_ACQUIRE_TIMEOUT, 5 sec, 250ms, 30s, 5m, 1h",
                "PG_ACQUIRE_TIMEOUT, 0s, above zero",
                "PG_CONNECT_TIMEOUT, 0, above zero",
                "PG_STATEMENT_TIMEOUT, -5, 250ms, 30s, 5m, 1h",
                "PG_STATEMENT_TIMEOUT, 0, above zero",
                "PG_MAX_LIFETIME, 25h, at most 1 day",
                "PG_MAX_LIFETIME, PT-5S, must not be negative",
                "PG_LEAK_DETECTION_THRESHOLD, soon, ISO-8601 (PT30S)",
                "PG_ACQUIRE_TIMEOUT, off, 250ms, 30s, 5m, 1h",
        })
        void badDurationIsRefusedNamingVariableValueAndRule(String variable, String value, String rule) {
            assertRefused(env("PG_USER", "app", variable, value), variable)
                    .hasMessageContaining(variable + " = '" + value + "'")
                    .hasMessageContaining(rule);
        }

        @Test
        void offTurnsOffTimeoutsAndLeakDetectionThatATemplateSets() {
            PgPoolConfig config = PgEnvironment.loadPool(env(
                    "PG_USER", "app",
                    "PG_STATEMENT_TIMEOUT", "off",
                    "PG_IDLE_IN_TRANSACTION_TIMEOUT", "OFF",
                    "PG_LEAK_DETECTION_THRESHOLD", "off"), "primary", EnvironmentTemplate.PRODUCTION);

            assertThat(config.statementTimeout()).isEmpty();
            assertThat(config.idleInTransactionTimeout()).isEmpty();
            assertThat(config.leakDetectionThreshold()).isEmpty();
        }

        @ParameterizedTest
        @CsvSource({
                "PG_MAX_CONNECTIONS, ten, between 1 and 10,000",
                "PG_MAX_CONNECTIONS, 0, between 1 and 10,000",
                "PG_MAX_CONNECTIONS, 10001, between 1 and 10,000",
                "PG_MAX_CONNECTIONS, 99999999999999, between 1 and 10,000",
                "PG_MAX_CONNECTIONS, 2.5, between 1 and 10,000",
                "PG_MIN_CONNECTIONS, -1, between 0 and 10,000",
                "PG_PORT, 70000, between 1 and 65,535",
                "PG_MAX_PENDING_ACQUIRES, 0, between 1 and 2,147,483,647",
                "PG_RECYCLE_AFTER_USES, -3, between 0 and 2,147,483,647",
                "PG_STATEMENT_CACHE_SIZE, 100001, between 0 and 100,000",
                "PG_LIFETIME_JITTER, 0.7, between 0 and 0.5",
                "PG_VALIDATION, ping, none, local, remote, query",
                "PG_SSL_MODE, sometimes, disable, allow, prefer, require, verify-ca, verify-full",
        })
        void badValueIsRefusedNamingVariableValueAndRange(String variable, String value, String range) {
            assertRefused(env("PG_USER", "app", variable, value), variable)
                    .hasMessageContaining("'" + value + "'")
                    .hasMessageContaining(range);
        }

        @Test
        void minimumAboveMaximumNamesBothVariables() {
            assertRefused(env("PG_USER", "app", "PG_MIN_CONNECTIONS", "20", "PG_MAX_CONNECTIONS", "10"), "PG_MIN_CONNECTIONS")
                    .hasMessageContaining("PG_MIN_CONNECTIONS = '20'")
                    .hasMessageContaining("PG_MAX_CONNECTIONS (10)");
        }

        @Test
        void minimumAboveTheTemplatesMaximumNamesTheVariable() {
            ConfigException refusal = catchThrowableOfType(ConfigException.class, () -> PgEnvironment.load(
                    env("PG_USER", "app", "PG_MIN_CONNECTIONS", "8"), EnvironmentTemplate.DEVELOPMENT));

            assertThat(refusal.setting()).isEqualTo("PG_MIN_CONNECTIONS");
            assertThat(refusal).hasMessageContaining("'8'").hasMessageContaining("maxConnections (5)")
                    .hasMessageContaining("set by PG_MIN_CONNECTIONS");
        }

        @Test
        void refusalOfABuilderRuleNamesTheVariableThatSetTheValue() {
            assertRefused(env("PG_USER", "app", "PG_APP_NAME", "it's-mine"), "PG_APP_NAME")
                    .hasMessageContaining("'it's-mine'")
                    .hasMessageContaining("1 to 63 letters");
        }

        @Test
        void missingRequiredSettingNamesTheVariableToSet() {
            assertRefused(env("PG_HOST", "db.internal"), "PG_USER")
                    .hasMessageContaining("PG_USER = (missing) (pool 'primary': user): is required");
        }

        @Test
        void verifyFullWithoutCaCertificateNamesTheCertificateVariable() {
            assertRefused(env("PG_USER", "app", "PG_SSL_MODE", "verify-full"), "PG_SSL_ROOT_CERT")
                    .hasMessageContaining("sslRootCert");
        }

        @ParameterizedTest
        @ValueSource(strings = {"work_mem", "work_mem=", "=64MB", "work_mem=64MB,,jit=off"})
        void malformedServerSettingsAreRefusedWithTheExpectedForm(String value) {
            assertRefused(env("PG_USER", "app", "PG_SERVER_SETTINGS", value), "PG_SERVER_SETTINGS")
                    .hasMessageContaining("name=value");
        }

        @Test
        void serverSettingWithUnsafeValueIsRefusedNamingTheVariable() {
            assertRefused(env("PG_USER", "app", "PG_SERVER_SETTINGS", "search_path=a;drop"), "PG_SERVER_SETTINGS")
                    .hasMessageContaining("'a;drop'");
        }

        @Test
        void statementTimeoutWrittenAsServerSettingSetsTheStatementTimeout() {
            PgPoolConfig config = primary(env("PG_USER", "app", "PG_SERVER_SETTINGS", "statement_timeout=2s,jit=off"));

            assertThat(config.statementTimeout()).contains(Duration.ofSeconds(2));
            assertThat(config.serverSettings()).containsOnlyKeys("jit");
        }

        @Test
        void unknownPgVariableIsAWarningNamingTheClosestKnownOne() {
            Environment env = Environment.of(env("PG_USER", "app", "PG_MAX_CONECTIONS", "50", "PG_REPLICA_1_HOTS", "db2",
                    "PG_REPLICA_1_HOST", "db2"));

            RegistryConfig registry = PgEnvironment.load(env);

            assertThat(pool(registry, "primary").maxConnections()).isEqualTo(10);
            assertThat(env.warnings()).containsExactly(
                    "PG_MAX_CONECTIONS is set but no part of Sluice reads it, so it is ignored; the closest known variable is "
                            + "PG_MAX_CONNECTIONS (rename it if it is meant for Sluice)",
                    "PG_REPLICA_1_HOTS is set but no part of Sluice reads it, so it is ignored; the closest known variable is "
                            + "PG_REPLICA_1_HOST (rename it if it is meant for Sluice)");
        }

        @Test
        void blankValueIsRefusedNamingTheVariable() {
            assertRefused(env("PG_USER", "app", "PG_HOST", "   "), "PG_HOST").hasMessageContaining("set but blank");
            assertRefused(env("PG_USER", "app", "PGHOST", " "), "PGHOST").hasMessageContaining("set but blank");
            assertRefused(env("PG_USER", "app", "SLUICE_APP_INSTANCES", ""), "SLUICE_APP_INSTANCES").hasMessageContaining("set but blank");
        }

        @Test
        void everyProblemOfTheEnvironmentIsReportedTogether() {
            ConfigException refusal = refusal(env(
                    "PG_USER", "app",
                    "PG_MAX_CONNECTIONS", "lots",
                    "PG_ACQUIRE_TIMEOUT", "5",
                    "PG_PASSWORD", " ",
                    "PG_REPLICA_1_PORT", "0",
                    "SLUICE_APP_INSTANCES", "0"));

            assertThat(refusal.problems()).extracting(dev.sluice.pool.config.ConfigProblem::source)
                    .containsExactlyInAnyOrder("PG_MAX_CONNECTIONS", "PG_ACQUIRE_TIMEOUT", "PG_PASSWORD", "PG_REPLICA_1_PORT",
                            "SLUICE_APP_INSTANCES");
            assertThat(refusal).hasMessageStartingWith("invalid configuration (5 problems):")
                    .hasMessageContaining("PG_MAX_CONNECTIONS = 'lots'")
                    .hasMessageContaining("PG_REPLICA_1_PORT = '0'");
        }

        @Test
        void variablesOfPostgresqlToolsAndImagesAreSkipped() {
            PgPoolConfig config = primary(env("PG_USER", "app", "PG_VERSION", "18.1", "PG_MAJOR", "18", "PG_COLOR", "auto"));

            assertThat(config.user()).isEqualTo("app");
        }

        @Test
        void emptyValueIsRefusedNotTakenAsUnset() {
            assertRefused(env("PG_USER", "app", "PG_HOST", ""), "PG_HOST").hasMessageContaining("set but blank");
            assertRefused(env("PG_USER", "app", "PG_PASSWORD", ""), "PG_PASSWORD").hasMessageContaining("set but blank");
            assertRefused(env("DATABASE_URL", ""), "DATABASE_URL").hasMessageContaining("set but blank");
        }

        @Test
        void pgUrlIsRefusedPointingToDatabaseUrl() {
            assertRefused(env("PG_URL", "postgresql://app@db/app"), "PG_URL").hasMessageContaining("DATABASE_URL");
        }

        @Test
        void nothingConfiguredIsRefusedSayingWhatToSet() {
            assertRefused(env("HOME", "/root", "SLUICE_APP_INSTANCES", "2"), "DATABASE_URL")
                    .hasMessageContaining("no PostgreSQL pool is configured");
        }

        @Test
        void passwordAppearsInNoToString() {
            RegistryConfig registry = PgEnvironment.load(env(
                    "DATABASE_URL", "postgresql://app:" + PASSWORD + "@db/app",
                    "PG_ANALYTICS_MAX_CONNECTIONS", "4"));

            assertThat(registry.pools()).hasSize(2);
            assertThat(registry.toString()).doesNotContain(PASSWORD);
            registry.pools().forEach(pool -> assertThat(pool.toString()).doesNotContain(PASSWORD).contains("(hidden)"));
        }
    }

    @Nested
    class RegistryVariables {

        @Test
        void registryVariablesSetTheRegistry() {
            RegistryConfig registry = PgEnvironment.load(env(
                    "PG_USER", "app",
                    "SLUICE_APP_INSTANCES", "3",
                    "SLUICE_SAFE_CONNECTION_SHARE", "70%",
                    "SLUICE_CAPACITY_CHECK", "false",
                    "SLUICE_PG_URL", "not read here"));

            assertThat(registry.appInstances()).isEqualTo(3);
            assertThat(registry.appInstancesSource()).isEqualTo("SLUICE_APP_INSTANCES");
            assertThat(registry.safeConnectionShare()).isEqualTo(0.7);
            assertThat(registry.capacityCheck()).isFalse();
        }

        @Test
        void registryDefaultsApplyWhenUnset() {
            RegistryConfig registry = PgEnvironment.load(env("PG_USER", "app", "SLUICE_SAFE_CONNECTION_SHARE", "0.5"));

            assertThat(registry.appInstances()).isEqualTo(1);
            assertThat(registry.appInstancesSource()).isEqualTo(RegistryConfig.DEFAULT_SOURCE);
            assertThat(RegistryConfig.builder().pool(pool(registry, "primary")).appInstances(4).build().appInstancesSource())
                    .isEqualTo("RegistryConfig.Builder.appInstances");
            assertThat(registry.safeConnectionShare()).isEqualTo(0.5);
            assertThat(registry.capacityCheck()).isTrue();
        }

        @ParameterizedTest
        @CsvSource({
                "SLUICE_APP_INSTANCES, 0, between 1 and 10,000",
                "SLUICE_APP_INSTANCES, many, between 1 and 10,000",
                "SLUICE_SAFE_CONNECTION_SHARE, 1.2, above 0 and at most 1",
                "SLUICE_SAFE_CONNECTION_SHARE, 0%, above 0 and at most 1",
                "SLUICE_CAPACITY_CHECK, no, true or false",
        })
        void badRegistryValueIsRefusedNamingVariableValueAndRange(String variable, String value, String range) {
            assertRefused(env("PG_USER", "app", variable, value), variable)
                    .hasMessageContaining("'" + value + "'")
                    .hasMessageContaining(range);
        }
    }

    @Nested
    class NamedPools {

        @Test
        void replicaInheritsConnectionSettingsButNotSizesTimeoutsOrApplicationName() {
            RegistryConfig registry = PgEnvironment.load(env(
                    "PG_HOST", "primary.internal",
                    "PG_PORT", "6432",
                    "PG_DATABASE", "orders",
                    "PG_USER", "app",
                    "PG_PASSWORD", PASSWORD,
                    "PG_SSL_MODE", "require",
                    "PG_MAX_CONNECTIONS", "40",
                    "PG_STATEMENT_TIMEOUT", "5s",
                    "PG_APP_NAME", "orders-api",
                    "PG_REPLICA_1_HOST", "replica-1.internal"));

            PgPoolConfig replica = pool(registry, "replica_1");
            assertThat(replica.role()).isEqualTo(PoolRole.REPLICA);
            assertThat(replica.host()).isEqualTo("replica-1.internal");
            assertThat(replica.port()).isEqualTo(6432);
            assertThat(replica.database()).isEqualTo("orders");
            assertThat(replica.user()).isEqualTo("app");
            assertThat(replica.password()).contains(PASSWORD);
            assertThat(replica.sslMode()).isEqualTo(SslMode.REQUIRE);
            assertThat(replica.maxConnections()).isEqualTo(10);
            assertThat(replica.statementTimeout()).isEmpty();
            assertThat(replica.applicationName()).isEqualTo("sluice-replica_1");
            assertThat(registry.pools()).extracting(PgPoolConfig::name).containsExactly("primary", "replica_1");
        }

        @Test
        void longestKeyDecidesBetweenDefaultAndNamedPool() {
            RegistryConfig registry = PgEnvironment.load(env(
                    "DATABASE_URL", "postgresql://app@db/app",
                    "PG_MAX_CONNECTIONS", "30",
                    "PG_ANALYTICS_MAX_CONNECTIONS", "4",
                    "PG_ANALYTICS_STATEMENT_TIMEOUT", "10m",
                    "PG_ANALYTICS_SERVER_SETTINGS", "work_mem=256MB,jit=off"));

            assertThat(pool(registry, "primary").maxConnections()).isEqualTo(30);
            PgPoolConfig analytics = pool(registry, "analytics");
            assertThat(analytics.role()).isEqualTo(PoolRole.ANALYTICS);
            assertThat(analytics.maxConnections()).isEqualTo(4);
            assertThat(analytics.host()).isEqualTo("db");
            assertThat(analytics.statementTimeout()).contains(Duration.ofMinutes(10));
            assertThat(analytics.serverSettings()).containsExactly(Map.entry("work_mem", "256MB"), Map.entry("jit", "off"));
            assertThat(pool(registry, "primary").serverSettings()).isEmpty();
        }

        @ParameterizedTest
        @CsvSource({
                "REPLICA, replica, REPLICA",
                "REPLICA2, replica2, REPLICA",
                "REPLICA_EU_WEST, replica_eu_west, REPLICA",
                "BACKGROUND_JOBS, background_jobs, BACKGROUND",
                "ANALYTICS, analytics, ANALYTICS",
        })
        void roleComesFromTheNamesFirstWord(String prefix, String pool, PoolRole role) {
            RegistryConfig registry = PgEnvironment.load(env("PG_USER", "app", "PG_" + prefix + "_MAX_CONNECTIONS", "2"));

            assertThat(pool(registry, pool).role()).isEqualTo(role);
        }

        @Test
        void roleVariableWinsOverTheName() {
            RegistryConfig registry = PgEnvironment.load(env(
                    "PG_USER", "app",
                    "PG_REPORTS_ROLE", "analytics",
                    "PG_REPORTS_MAX_CONNECTIONS", "2",
                    "PG_REPLICA_NIGHTLY_ROLE", "background"));

            assertThat(pool(registry, "reports").role()).isEqualTo(PoolRole.ANALYTICS);
            assertThat(pool(registry, "replica_nightly").role()).isEqualTo(PoolRole.BACKGROUND);
        }

        @Test
        void unknownRoleIsRefusedListingTheRoles() {
            assertRefused(env("PG_USER", "app", "PG_REPORTS_ROLE", "reader"), "PG_REPORTS_ROLE")
                    .hasMessageContaining("'reader'")
                    .hasMessageContaining("PRIMARY, REPLICA, BACKGROUND, ANALYTICS");
        }

        @ParameterizedTest
        @ValueSource(strings = {"PG_REPORTS_HOST", "PG_REPLICATOR_HOST"})
        void nameWithoutARoleNeedsARoleVariable(String variable) {
            String roleVariable = variable.replace("_HOST", "_ROLE");
            assertRefused(env("PG_USER", "app", variable, "db2"), roleVariable)
                    .hasMessageContaining("needs a role")
                    .hasMessageContaining("PRIMARY, REPLICA, BACKGROUND, ANALYTICS");
        }

        @Test
        void primaryPrefixIsAnotherSpellingOfTheDefaultPool() {
            RegistryConfig registry = PgEnvironment.load(env("PG_PRIMARY_HOST", "db.internal", "PG_USER", "app"));

            assertThat(registry.pools()).singleElement().satisfies(pool -> {
                assertThat(pool.name()).isEqualTo("primary");
                assertThat(pool.host()).isEqualTo("db.internal");
            });
            assertRefused(env("PG_PRIMARY_HOST", "db1", "PG_HOST", "db2", "PG_USER", "app"), "PG_PRIMARY_HOST")
                    .hasMessageContaining("PG_HOST = 'db2'");
        }

        @Test
        void defaultPoolIsAlwaysPrimary() {
            assertThat(primary(env("PG_USER", "app", "PG_ROLE", "primary")).role()).isEqualTo(PoolRole.PRIMARY);
            assertRefused(env("PG_USER", "app", "PG_ROLE", "replica"), "PG_ROLE").hasMessageContaining("always PRIMARY");
        }

        @Test
        void secondPrimaryIsRefusedNamingItsRoleVariable() {
            assertRefused(env("PG_USER", "app", "PG_MAIN_ROLE", "primary"), "PG_MAIN_ROLE")
                    .hasMessageContaining("pool 'primary' is already the PRIMARY");
            assertRefused(env("PG_USER", "app", "PG_PRIMARY_2_HOST", "db2"), "PG_PRIMARY_2_ROLE")
                    .hasMessageContaining("takes role PRIMARY from its name");
        }

        @Test
        void namedPoolUrlGivesItsServerAndInheritsTheRest() {
            RegistryConfig registry = PgEnvironment.load(env(
                    "DATABASE_URL", "postgresql://app:" + PASSWORD + "@primary.internal/orders?sslmode=require",
                    "PG_REPLICA_1_URL", "postgresql://replica-1.internal:5433"));

            PgPoolConfig replica = pool(registry, "replica_1");
            assertThat(replica.host()).isEqualTo("replica-1.internal");
            assertThat(replica.port()).isEqualTo(5433);
            assertThat(replica.database()).isEqualTo("orders");
            assertThat(replica.user()).isEqualTo("app");
            assertThat(replica.password()).contains(PASSWORD);
            assertThat(replica.sslMode()).isEqualTo(SslMode.REQUIRE);
        }

        @Test
        void namedPoolUrlErrorsNameItsVariableWithoutThePassword() {
            ConfigException refusal = refusal(env("PG_USER", "app",
                    "PG_REPLICA_1_URL", "postgresql://reader:" + PASSWORD + "@replica:port/orders"));

            assertThat(refusal.setting()).isEqualTo("PG_REPLICA_1_URL");
            assertThat(refusal.getMessage()).contains("PG_REPLICA_1_URL").doesNotContain(PASSWORD);
        }

        @Test
        void passwordIsInheritedOnlyWithItsUser() {
            RegistryConfig registry = PgEnvironment.load(env(
                    "PG_USER", "app",
                    "PG_PASSWORD", PASSWORD,
                    "PG_ANALYTICS_USER", "analyst",
                    "PG_BACKGROUND_USER", "app"));

            assertThat(pool(registry, "analytics").password()).isEmpty();
            assertThat(pool(registry, "background").password()).contains(PASSWORD);
        }

        @Test
        void namedPoolErrorNamesItsOwnVariable() {
            assertRefused(env("PG_USER", "app", "PG_REPLICA_1_MAX_CONNECTIONS", "-2"), "PG_REPLICA_1_MAX_CONNECTIONS")
                    .hasMessageContaining("'-2'");
        }

        @Test
        void namedPoolWithoutUserPointsToBothVariables() {
            assertRefused(env("PG_REPLICA_1_HOST", "replica"), "PG_REPLICA_1_USER")
                    .hasMessageContaining("or PG_USER, which every pool inherits");
        }

        @ParameterizedTest
        @ValueSource(strings = {"PG_1_HOST", "PG__HOST", "PG_REPLICA-1_HOST"})
        void invalidPoolNameIsRefused(String variable) {
            assertRefused(env("PG_USER", "app", variable, "db2"), variable).hasMessageContaining("not a valid pool name");
        }
    }

    @Nested
    class Templates {

        @Test
        void templateValuesApplyWhereTheEnvironmentIsSilent() {
            RegistryConfig registry = PgEnvironment.load(env(
                    "PG_USER", "app",
                    "PG_STATEMENT_TIMEOUT", "10s",
                    "PG_REPLICA_HOST", "replica"), EnvironmentTemplate.PRODUCTION);

            PgPoolConfig primary = pool(registry, "primary");
            assertThat(primary.statementTimeout()).contains(Duration.ofSeconds(10));
            assertThat(primary.leakDetectionThreshold()).contains(Duration.ofSeconds(60));
            assertThat(primary.sslMode()).isEqualTo(SslMode.REQUIRE);
            assertThat(pool(registry, "replica").statementTimeout()).contains(Duration.ofSeconds(30));
            assertThat(pool(registry, "replica").maxConnections()).isEqualTo(20);
        }

        @Test
        void environmentOverridesTheTemplatesTlsMode() {
            PgPoolConfig config = PgEnvironment.loadPool(env("PG_USER", "app", "PG_SSL_MODE", "disable"), "primary",
                    EnvironmentTemplate.PRODUCTION);

            assertThat(config.sslMode()).isEqualTo(SslMode.DISABLE);
        }
    }

    @Test
    void defaultPoolComesFirstThenNamedPoolsByName() {
        RegistryConfig registry = PgEnvironment.load(env(
                "PG_USER", "app",
                "PG_REPLICAB_HOST", "b",
                "PG_REPLICAB_ROLE", "replica",
                "PG_REPLICA_X_HOST", "x",
                "PG_ANALYTICS_HOST", "a"));

        assertThat(registry.pools()).extracting(PgPoolConfig::name)
                .containsExactly("primary", "analytics", "replica_x", "replicab");
    }

    @Test
    void loadPoolFindsAPoolByNameAndListsThePoolsWhenAbsent() {
        Map<String, String> env = env("PG_USER", "app", "PG_REPLICA_1_HOST", "replica");

        assertThat(PgEnvironment.loadPool(env, "replica_1").host()).isEqualTo("replica");
        assertThatThrownBy(() -> PgEnvironment.loadPool(env, "analytics"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'analytics'")
                .hasMessageContaining("primary, replica_1");
    }
}
