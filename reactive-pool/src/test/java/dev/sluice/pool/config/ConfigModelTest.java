package dev.sluice.pool.config;

import dev.sluice.pool.RegistryConfig;
import dev.sluice.pool.RetryPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ConfigModelTest {

    private static final Setting<Duration> PERIOD = Setting.duration("period", Duration.ofSeconds(5), Duration.ofMillis(100),
            Duration.ofMinutes(10)).env("PERIOD");
    private static final Setting<String> SECRET = Setting.secretText("secret");

    @ParameterizedTest
    @CsvSource({"250ms, PT0.25S", "30s, PT30S", "5m, PT5M", "5min, PT5M", "1h, PT1H", "2d, PT48H", "PT30S, PT30S",
            "pt1m30s, PT1M30S", "0, PT0S", "' 10s ', PT10S"})
    void durationsHaveOneGrammar(String text, Duration expected) {
        assertThat(Durations.parse(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"5", "1.5s", "5 sec", "-5s", "PT-5S", "soon", ""})
    void otherDurationsAreRefusedWithTheForms(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("250ms, 30s, 5m, 1h");
    }

    @Test
    void aBareNumberIsReadOnlyInTheUnitACallerNames() {
        assertThat(Durations.parse("10", ChronoUnit.SECONDS)).isEqualTo(Duration.ofSeconds(10));
        assertThat(Durations.parse("1500", ChronoUnit.MILLIS)).isEqualTo(Duration.ofMillis(1500));
        assertThat(Durations.format(Duration.ofMillis(250))).isEqualTo("250ms");
        assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("90m");
    }

    @ParameterizedTest
    @CsvSource({"64MB, 67108864", "64MiB, 67108864", "512KB, 524288", "1GB, 1073741824", "100, 100", "100B, 100", "2 tb, 2199023255552"})
    void sizesHaveOneGrammar(String text, long expected) {
        assertThat(Sizes.parse(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"64XB", "1.5MB", "-1", "MB", "64MIBB"})
    void otherSizesAreRefused(String text) {
        assertThatThrownBy(() -> Sizes.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anExceptionListsEveryProblemWithSettingVariableValueAndFix() {
        ConfigException e = new ConfigException(List.of(
                new ConfigProblem("pool 'primary'", "maxConnections", "PG_MAX_CONNECTIONS", "0", "must be between 1 and 10,000"),
                ConfigProblem.of("pool 'primary'", "user", null, "is required")));
        assertThat(e.problems()).hasSize(2);
        assertThat(e.setting()).isEqualTo("PG_MAX_CONNECTIONS");
        assertThat(e).hasMessage("invalid configuration (2 problems):\n"
                + " - PG_MAX_CONNECTIONS = '0' (pool 'primary': maxConnections): must be between 1 and 10,000\n"
                + " - pool 'primary': user = (missing): is required");
        assertThatThrownBy(() -> new ConfigException(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void secretsAreMaskedInProblemsAndConflicts() {
        Environment env = Environment.of(Map.of("APP_SECRET", "s3cret-A", "OTHER_SECRET", "s3cret-B"));
        Problems problems = new Problems("app");
        assertThat(env.read(problems, "app", SECRET, "APP_SECRET", "OTHER_SECRET")).isEmpty();
        assertThat(problems.list()).singleElement().satisfies(problem -> {
            assertThat(problem.value()).isEqualTo(ConfigProblem.MASKED);
            assertThat(problem.message()).contains("APP_SECRET", "OTHER_SECRET", "not shown")
                    .doesNotContain("s3cret-A").doesNotContain("s3cret-B");
        });
        Problems coded = new Problems("app");
        coded.add(SECRET, "s3cret-A", "is refused");
        assertThat(coded.list().get(0).message()).doesNotContain("s3cret-A");
    }

    @Test
    void environmentReadsAliasesAppliesTheBlankRuleAndChecksTheRange() {
        Environment env = Environment.of(Map.of("A_PERIOD", "2s", "B_PERIOD", "PT2S", "BLANK", " ", "LONG", "1h"));
        Problems problems = new Problems("");
        assertThat(env.read(problems, "", PERIOD, "A_PERIOD", "B_PERIOD")).contains(Duration.ofSeconds(2));
        assertThat(env.sourceOf("MISSING", "B_PERIOD")).contains("B_PERIOD");
        assertThat(env.read(problems, "", PERIOD, "BLANK")).isEmpty();
        assertThat(env.read(problems, "", PERIOD, "LONG")).isEmpty();
        assertThat(env.read(problems, "", PERIOD, "MISSING")).isEmpty();
        assertThat(problems.list()).extracting(ConfigProblem::message).containsExactly(
                "BLANK = '' (period): is set but blank: give it a value or unset it (a blank variable is a deployment mistake, not 'unset')",
                "LONG = '1h' (period): must be a duration of at least 100 ms and at most 10 min ("
                        + Durations.FORMS + ")");
    }

    @Test
    void unknownVariablesAreWarningsNamingTheClosestKnownOne() {
        Environment env = Environment.of(Map.of("APP_PERIDO", "2s", "APP_PERIOD", "1s", "OTHER", "x"));
        env.warnUnknown("APP_", List.of("APP_PERIOD", "APP_TIMEOUT"), name -> false);
        assertThat(env.warnings()).containsExactly("APP_PERIDO is set but no part of Sluice reads it, so it is ignored; "
                + "the closest known variable is APP_PERIOD (rename it if it is meant for Sluice)");
        assertThat(Environment.closest("PG_MAX_CONECTIONS", List.of("PG_MIN_CONNECTIONS", "PG_MAX_CONNECTIONS", "PG_HOST")))
                .isEqualTo("PG_MAX_CONNECTIONS");
    }

    @Test
    void retryPolicyAndRegistryReportEveryBadFieldTogether() {
        ConfigException retry = catchThrowableOfType(ConfigException.class,
                () -> new RetryPolicy(0, Duration.ZERO, Duration.ofHours(1), 2));
        assertThat(retry.problems()).extracting(ConfigProblem::setting)
                .containsExactly("maxAttempts", "baseDelay", "maxDelay", "jitter");
        ConfigException registry = catchThrowableOfType(ConfigException.class, () -> RegistryConfig.builder()
                .appInstances(0).safeConnectionShare(2).healthPeriod(Duration.ZERO).build());
        assertThat(registry.problems()).extracting(ConfigProblem::setting)
                .containsExactly("pools", "appInstances", "safeConnectionShare", "healthPeriod");
    }
}
