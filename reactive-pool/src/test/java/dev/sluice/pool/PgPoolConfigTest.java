package dev.sluice.pool;

import dev.sluice.pool.config.ConfigException;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Bad values fail when the configuration is built, with the setting, the value and the valid range. */
class PgPoolConfigTest {

    private static PgPoolConfig.Builder valid() {
        return PgPoolConfig.builder("orders").user("app").password("S3cret-pw");
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        PgPoolConfig config = valid().build();
        assertThat(config.minConnections()).isEqualTo(1);
        assertThat(config.maxConnections()).isEqualTo(10);
        assertThat(config.acquireTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.maxLifetime()).isEqualTo(Duration.ofMinutes(30));
        assertThat(config.lifetimeJitter()).isEqualTo(0.10);
        assertThat(config.idleTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.idleInTransactionTimeout()).contains(Duration.ofSeconds(60));
        assertThat(config.statementTimeout()).isEmpty();
        assertThat(config.validation()).isEqualTo(ValidationMode.LOCAL);
        assertThat(config.applicationName()).isEqualTo("sluice-orders");
        assertThat(config.sslMode()).isEqualTo(SslMode.PREFER);
        assertThat(config.leakDetectionThreshold()).isEmpty();
    }

    @Test
    void negativeSizeIsRefusedWithItsRange() {
        assertThatThrownBy(() -> valid().maxConnections(-1).build())
                .isInstanceOf(ConfigException.class)
                .hasMessage("invalid configuration: pool 'orders': maxConnections = '-1': must be a whole number between 1 and 10,000");
        assertThatThrownBy(() -> valid().minConnections(-2).build())
                .hasMessageContaining("pool 'orders': minConnections = '-2'").hasMessageContaining("between 0 and maxConnections (10)");
    }

    @Test
    void minAboveMaxIsRefusedWithTheFix() {
        assertThatThrownBy(() -> valid().minConnections(12).maxConnections(8).build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("minConnections = '12'")
                .hasMessageContaining("between 0 and maxConnections (8)")
                .hasMessageContaining("lower minConnections or raise maxConnections")
                .satisfies(e -> assertThat(((ConfigException) e).problems())
                        .singleElement()
                        .satisfies(problem -> {
                            assertThat(problem.scope()).isEqualTo("pool 'orders'");
                            assertThat(problem.setting()).isEqualTo("minConnections");
                        }));
    }

    @Test
    void zeroOrNegativeDurationsAreRefused() {
        assertThatThrownBy(() -> valid().acquireTimeout(Duration.ZERO).build())
                .hasMessageContaining("acquireTimeout = '0s': must be a duration above zero and at most 1 day");
        assertThatThrownBy(() -> valid().connectTimeout(Duration.ofSeconds(-1)).build()).hasMessageContaining("connectTimeout");
        assertThatThrownBy(() -> valid().idleTimeout(Duration.ZERO).build()).hasMessageContaining("idleTimeout");
        assertThatThrownBy(() -> valid().maxLifetime(Duration.ofMillis(-5)).build()).hasMessageContaining("maxLifetime");
        assertThatThrownBy(() -> valid().statementTimeout(Duration.ZERO).build()).hasMessageContaining("statementTimeout");
        assertThatThrownBy(() -> valid().validationTimeout(Duration.ZERO).build()).hasMessageContaining("validationTimeout");
        assertThatThrownBy(() -> valid().leakDetectionThreshold(Duration.ZERO).build()).hasMessageContaining("leakDetectionThreshold");
        assertThatThrownBy(() -> valid().shutdownGracePeriod(Duration.ofSeconds(-1)).build()).hasMessageContaining("shutdownGracePeriod");
    }

    @Test
    void otherBadValuesNameTheirSetting() {
        assertThatThrownBy(() -> valid().port(70000).build()).hasMessageContaining("port = '70000'").hasMessageContaining("1 and 65,535");
        assertThatThrownBy(() -> PgPoolConfig.builder("Bad Name").user("u").build()).hasMessageContaining("name = 'Bad Name'");
        assertThatThrownBy(() -> PgPoolConfig.builder("x").build()).hasMessageContaining("user = (missing)").hasMessageContaining("is required");
        assertThatThrownBy(() -> valid().lifetimeJitter(0.9).build()).hasMessageContaining("lifetimeJitter").hasMessageContaining("0 and 0.5");
        assertThatThrownBy(() -> valid().validation(ValidationMode.QUERY).build()).hasMessageContaining("validationQuery").hasMessageContaining("SELECT 1");
        assertThatThrownBy(() -> valid().validationQuery("SELECT 1").build()).hasMessageContaining("only used with validation QUERY");
        assertThatThrownBy(() -> valid().maxPendingAcquires(0).build()).hasMessageContaining("maxPendingAcquires");
        assertThatThrownBy(() -> valid().recycleAfterUses(-1).build()).hasMessageContaining("recycleAfterUses");
        assertThatThrownBy(() -> valid().sslMode(SslMode.VERIFY_FULL).build()).hasMessageContaining("sslRootCert").hasMessageContaining("verify-full");
        assertThatThrownBy(() -> valid().serverSetting("work mem", "1MB").build()).hasMessageContaining("serverSetting = 'work mem'");
        assertThatThrownBy(() -> valid().serverSetting("work_mem", "1MB' -c x=1").build()).hasMessageContaining("serverSetting work_mem");
        assertThatThrownBy(() -> valid().evictionInterval(Duration.ofMillis(1)).build()).hasMessageContaining("evictionInterval");
    }

    @Test
    void everyProblemIsReportedTogetherEachNamingItsSettingAndValue() {
        ConfigException refusal = catchThrowableOfType(ConfigException.class, () -> valid()
                .port(0).maxConnections(0).acquireTimeout(Duration.ZERO).lifetimeJitter(2).applicationName("it's").build());
        assertThat(refusal.problems()).extracting(dev.sluice.pool.config.ConfigProblem::setting)
                .containsExactly("port", "maxConnections", "acquireTimeout", "lifetimeJitter", "applicationName");
        assertThat(refusal.problems()).extracting(dev.sluice.pool.config.ConfigProblem::value)
                .containsExactly("0", "0", "0s", "2.0", "it's");
        assertThat(refusal).hasMessageStartingWith("invalid configuration (5 problems):")
                .hasMessageContaining("pool 'orders': port = '0': must be a whole number between 1 and 65,535")
                .hasMessageNotContaining("S3cret-pw");
    }

    @Test
    void clientCertificateAndKeyGoTogetherAndMustBeReadable(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path cert = java.nio.file.Files.writeString(dir.resolve("client.crt"), "-----BEGIN CERTIFICATE-----");
        assertThatThrownBy(() -> valid().sslCert(cert).build()).hasMessageContaining("sslKey = (missing)")
                .hasMessageContaining("go together");
        assertThatThrownBy(() -> valid().sslClientCertificate(cert, dir.resolve("absent.key")).build())
                .hasMessageContaining("sslKey = '" + dir.resolve("absent.key") + "'").hasMessageContaining("not a readable file");
        assertThatThrownBy(() -> valid().sslMode(SslMode.DISABLE).sslClientCertificate(cert, cert).build())
                .hasMessageContaining("needs TLS");
        PgPoolConfig config = valid().sslMode(SslMode.REQUIRE).sslClientCertificate(cert, cert).build();
        assertThat(config.sslCert()).contains(cert);
        assertThat(config.sslKey()).contains(cert);
    }

    @Test
    void unknownSslModeAndRoleAreRefusedWithTheChoices() {
        assertThatThrownBy(() -> SslMode.parse("PG_SSL_MODE", "maybe"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("invalid configuration: PG_SSL_MODE = 'maybe': must be one of disable, allow, prefer, require, verify-ca, verify-full");
        assertThat(SslMode.parse("x", "verify-full")).isEqualTo(SslMode.VERIFY_FULL);
        assertThat(SslMode.parse("x", "VERIFY_CA")).isEqualTo(SslMode.VERIFY_CA);
        assertThatThrownBy(() -> PoolRole.parse("PG_REPORTS_ROLE", "reporting"))
                .hasMessage("invalid configuration: PG_REPORTS_ROLE = 'reporting': must be one of PRIMARY, REPLICA, BACKGROUND, ANALYTICS");
        assertThat(PoolRole.parse("x", "analytics")).isEqualTo(PoolRole.ANALYTICS);
    }

    @Test
    void injectionThroughApplicationNameIsRefused() {
        assertThatThrownBy(() -> valid().applicationName("x'; DROP TABLE users; --").build())
                .isInstanceOf(ConfigException.class).hasMessageContaining("applicationName");
        assertThatThrownBy(() -> valid().applicationName("line\nbreak").build()).hasMessageContaining("applicationName");
    }

    @Test
    void passwordNeverAppearsInToStringOrErrors() {
        PgPoolConfig config = valid().build();
        assertThat(config.toString()).doesNotContain("S3cret-pw").contains("password=(hidden)");
        assertThatThrownBy(() -> valid().maxConnections(0).build()).hasMessageNotContaining("S3cret-pw");
        assertThat(config.password()).contains("S3cret-pw");
    }

    @Test
    void registryRefusesDuplicateNamesAndTwoPrimaries() {
        PgPoolConfig a = valid().build();
        assertThatThrownBy(() -> RegistryConfig.builder().pool(a).pool(a).build()).hasMessageContaining("two pools are named 'orders'");
        assertThatThrownBy(() -> RegistryConfig.builder().pool(a).pool(valid().name("other").build()).build())
                .hasMessageContaining("2 PRIMARY pools").hasMessageContaining("at most one pool may have role PRIMARY");
        assertThatThrownBy(() -> RegistryConfig.builder().build()).hasMessageContaining("at least one pool");
        assertThatThrownBy(() -> RegistryConfig.builder().pool(a).appInstances(0).build()).hasMessageContaining("appInstances = '0'");
        assertThatThrownBy(() -> RegistryConfig.builder().pool(a).safeConnectionShare(1.5).build()).hasMessageContaining("safeConnectionShare");
    }

    @Test
    void lifetimesAreJitteredWithinTheConfiguredFraction() {
        PgPoolConfig config = valid().maxLifetime(Duration.ofMinutes(30)).lifetimeJitter(0.1).build();
        var policy = new dev.sluice.pool.internal.LifecyclePolicy(config, new dev.sluice.pool.internal.PoolCounters());
        long max = Duration.ofMinutes(30).toMillis();
        java.util.Set<Long> lifetimes = new java.util.HashSet<>();
        for (int i = 0; i < 1000; i++) {
            long lifetime = policy.lifetimeMillis(new Object());
            assertThat(lifetime).isBetween((long) (max * 0.9), max);
            lifetimes.add(lifetime / 1000);
        }
        assertThat(lifetimes).as("distinct lifetimes (to the second) among 1000 connections").hasSizeGreaterThan(100);
    }
}
