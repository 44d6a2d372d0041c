package dev.sluice.pool;

import dev.sluice.pool.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EnvironmentTemplateTest {

    private static PgPoolConfig build(EnvironmentTemplate template) {
        return template.builder("orders").user("app").build();
    }

    @ParameterizedTest
    @EnumSource(EnvironmentTemplate.class)
    void everyTemplateBuildsAValidConfigurationOnceUserIsGiven(EnvironmentTemplate template) {
        PgPoolConfig config = build(template);

        assertThat(config.name()).isEqualTo("orders");
        assertThat(config.minConnections()).isBetween(1, config.maxConnections());
        assertThat(config.statementTimeout()).isPresent();
        assertThat(config.leakDetectionThreshold()).isPresent();
        assertThat(config.acquireTimeout()).isLessThan(config.statementTimeout().orElseThrow());
    }

    @Test
    void productionHasDocumentedValues() {
        PgPoolConfig production = build(EnvironmentTemplate.PRODUCTION);

        assertThat(production.minConnections()).isEqualTo(5);
        assertThat(production.maxConnections()).isEqualTo(20);
        assertThat(production.acquireTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(production.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(production.statementTimeout()).contains(Duration.ofSeconds(30));
        assertThat(production.idleInTransactionTimeout()).contains(Duration.ofSeconds(30));
        assertThat(production.leakDetectionThreshold()).contains(Duration.ofSeconds(60));
        assertThat(production.slowQueryThreshold()).isEqualTo(Duration.ofSeconds(1));
        assertThat(production.sslMode()).isEqualTo(SslMode.REQUIRE);
        assertThat(production.shutdownGracePeriod()).isEqualTo(Duration.ofSeconds(25));
    }

    @Test
    void developmentIsSmallWithShortWaitsAndQuickLeakReports() {
        PgPoolConfig development = build(EnvironmentTemplate.DEVELOPMENT);

        assertThat(development.minConnections()).isEqualTo(1);
        assertThat(development.maxConnections()).isEqualTo(5);
        assertThat(development.acquireTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(development.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(development.statementTimeout()).contains(Duration.ofMinutes(5));
        assertThat(development.leakDetectionThreshold()).contains(Duration.ofSeconds(10));
        assertThat(development.slowQueryThreshold()).isEqualTo(Duration.ofMillis(200));
        assertThat(development.sslMode()).isEqualTo(SslMode.PREFER);
    }

    @Test
    void stagingKeepsProductionLimitsWithMoreSensitiveDiagnostics() {
        PgPoolConfig staging = build(EnvironmentTemplate.STAGING);
        PgPoolConfig production = build(EnvironmentTemplate.PRODUCTION);

        assertThat(staging.statementTimeout()).isEqualTo(production.statementTimeout());
        assertThat(staging.idleInTransactionTimeout()).isEqualTo(production.idleInTransactionTimeout());
        assertThat(staging.sslMode()).isEqualTo(production.sslMode());
        assertThat(staging.leakDetectionThreshold().orElseThrow()).isEqualTo(Duration.ofSeconds(30))
                .isLessThan(production.leakDetectionThreshold().orElseThrow());
        assertThat(staging.slowQueryThreshold()).isLessThan(production.slowQueryThreshold());
        assertThat(staging.maxConnections()).isEqualTo(10).isLessThan(production.maxConnections());
    }

    @Test
    void sizesGrowAndLeakDetectionRelaxesFromDevelopmentToProduction() {
        PgPoolConfig development = build(EnvironmentTemplate.DEVELOPMENT);
        PgPoolConfig staging = build(EnvironmentTemplate.STAGING);
        PgPoolConfig production = build(EnvironmentTemplate.PRODUCTION);

        assertThat(development.maxConnections()).isLessThan(staging.maxConnections());
        assertThat(staging.maxConnections()).isLessThan(production.maxConnections());
        assertThat(development.leakDetectionThreshold().orElseThrow())
                .isLessThan(staging.leakDetectionThreshold().orElseThrow());
        assertThat(development.slowQueryThreshold()).isLessThan(staging.slowQueryThreshold());
        assertThat(development.statementTimeout().orElseThrow())
                .isGreaterThan(production.statementTimeout().orElseThrow());
        assertThat(development.shutdownGracePeriod()).isLessThan(production.shutdownGracePeriod());
    }

    @Test
    void applyKeepsConnectionSettingsAndLaterSettingsOverrideTheTemplate() {
        PgPoolConfig config = EnvironmentTemplate.PRODUCTION.apply(PgPoolConfig.builder("replica_1")
                        .role(PoolRole.REPLICA)
                        .host("replica.internal")
                        .port(6432)
                        .database("orders")
                        .user("reader")
                        .password("s3cret-value")
                        .applicationName("orders-api")
                        .serverSetting("work_mem", "64MB")
                        .maxConnections(99))
                .maxConnections(40)
                .build();

        assertThat(config.role()).isEqualTo(PoolRole.REPLICA);
        assertThat(config.host()).isEqualTo("replica.internal");
        assertThat(config.port()).isEqualTo(6432);
        assertThat(config.database()).isEqualTo("orders");
        assertThat(config.user()).isEqualTo("reader");
        assertThat(config.password()).contains("s3cret-value");
        assertThat(config.applicationName()).isEqualTo("orders-api");
        assertThat(config.serverSettings()).containsEntry("work_mem", "64MB");
        assertThat(config.maxConnections()).isEqualTo(40);
        assertThat(config.statementTimeout()).contains(Duration.ofSeconds(30));
    }

    @Test
    void parseAcceptsAnyCaseAndRefusesUnknownNamesListingTheValidOnes() {
        assertThat(EnvironmentTemplate.parse("APP_ENV", "production")).isEqualTo(EnvironmentTemplate.PRODUCTION);
        assertThat(EnvironmentTemplate.parse("APP_ENV", " Staging ")).isEqualTo(EnvironmentTemplate.STAGING);

        assertThatThrownBy(() -> EnvironmentTemplate.parse("APP_ENV", "prod"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("APP_ENV")
                .hasMessageContaining("'prod'")
                .hasMessageContaining("development, staging, production");
    }
}
