package dev.sluice.pool;

import dev.sluice.pool.config.Setting;
import dev.sluice.pool.kv.KvBucketConfig;
import dev.sluice.pool.kv.NatsConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's settings tables are the declarations ({@link PgPoolConfig#SETTINGS}, {@link RegistryConfig#SETTINGS},
 * {@link NatsConfig#SETTINGS}, {@link KvBucketConfig#SETTINGS}) rendered: each table sits between
 * {@code <!-- settings:NAME -->} and {@code <!-- /settings:NAME -->} and must equal what this test renders. Run
 * with {@code -Dsluice.readme.write=true} to write the rendered tables into the README.
 */
class ReadmeSettingsTest {

    private static final Path README = Path.of("README.md");

    private static final Map<String, Supplier<String>> TABLES = Map.of(
            "pool-builder", ReadmeSettingsTest::poolBuilderTable,
            "pool-environment", ReadmeSettingsTest::poolEnvironmentTable,
            "nats-environment", ReadmeSettingsTest::natsEnvironmentTable);

    static String poolBuilderTable() {
        StringBuilder table = new StringBuilder("| setting | default | range |\n|---|---|---|\n");
        for (Setting<?> setting : PgPoolConfig.SETTINGS) {
            table.append("| `").append(setting.name()).append("` | ").append(setting.defaultText()).append(" | ")
                    .append(setting.range()).append(" |\n");
        }
        table.append("| `serverSetting(name, value)` | none | PostgreSQL setting names, plain values |\n");
        table.append("| `afterConnect(hook)` | none | run on every new connection |\n");
        table.append("| `retry` | `RetryPolicy.NONE` | a `RetryPolicy` |\n");
        table.append("| `circuitBreaker` | `CircuitBreakerPolicy.DEFAULT` | a `CircuitBreakerPolicy` |\n");
        return table.toString();
    }

    static String poolEnvironmentTable() {
        Map<String, String> aliasOf = PgEnvironment.LIBPQ_ALIASES.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getValue, Map.Entry::getKey));
        StringBuilder table = new StringBuilder("| variable | meaning | unit / format | default | range | inherited | libpq name |\n"
                + "|---|---|---|---|---|---|---|\n");
        table.append("| `DATABASE_URL` | the default pool's server, credentials and URL parameters | URL (above) | — | "
                + "`postgresql://`, `postgres://`, `jdbc:postgresql://`, `r2dbc:postgresql://` | — | — |\n");
        table.append("| `PG_<POOL>_URL` | a named pool's URL | URL (above) | — | as `DATABASE_URL` | — | — |\n");
        for (Setting<?> setting : PgPoolConfig.SETTINGS) {
            if (setting.envSuffix() == null) {
                continue;
            }
            String variable = setting == PgPoolConfig.ROLE ? "PG_<POOL>_ROLE" : "PG_" + setting.envSuffix();
            String inherited = setting.isInherited() ? "yes" : setting == PgPoolConfig.PASSWORD ? "with the same user" : "no";
            String alias = aliasOf.get(setting.envSuffix());
            table.append("| `").append(variable).append("` | ").append(setting.doc()).append(" | ").append(setting.format())
                    .append(" | ").append(setting.defaultText()).append(" | ").append(setting.range()).append(" | ")
                    .append(inherited).append(" | ").append(alias == null ? "—" : "`" + alias + "`").append(" |\n");
        }
        table.append("| `PG_SERVER_SETTINGS` | server settings for every new connection | `name=value,name=value` | none | "
                + "PostgreSQL setting names; values of letters, digits, `_ . : / + -` | no | — |\n");
        for (Setting<?> setting : RegistryConfig.SETTINGS) {
            if (setting.envSuffix() != null) {
                table.append("| `SLUICE_").append(setting.envSuffix()).append("` | ").append(setting.doc()).append(" | ")
                        .append(setting.format()).append(" | ").append(setting.defaultText()).append(" | ").append(setting.range())
                        .append(" | registry | — |\n");
            }
        }
        return table.toString();
    }

    static String natsEnvironmentTable() {
        StringBuilder table = new StringBuilder("| variable | meaning | format | default | range |\n|---|---|---|---|---|\n");
        Stream.concat(NatsConfig.SETTINGS.stream(), KvBucketConfig.SETTINGS.stream()).forEach(setting ->
                table.append("| `NATS_").append(setting.envSuffix()).append("` | ").append(setting.doc()).append(" | ")
                        .append(setting.format()).append(" | ").append(setting.defaultText()).append(" | ")
                        .append(setting.range()).append(" |\n"));
        return table.toString();
    }

    @Test
    void everySettingsTableOfTheReadmeIsItsDeclarations() throws Exception {
        String readme = Files.readString(README);
        String rendered = readme;
        for (Map.Entry<String, Supplier<String>> table : TABLES.entrySet()) {
            Pattern block = Pattern.compile("(<!-- settings:" + table.getKey() + " -->\n)(.*?)(<!-- /settings:" + table.getKey() + " -->)",
                    Pattern.DOTALL);
            Matcher matcher = block.matcher(rendered);
            assertThat(matcher.find()).as("README has the table %s between its markers", table.getKey()).isTrue();
            rendered = matcher.replaceFirst(Matcher.quoteReplacement(matcher.group(1) + table.getValue().get() + matcher.group(3)));
        }
        if (Boolean.getBoolean("sluice.readme.write")) {
            Files.writeString(README, rendered);
        }
        assertThat(readme).as("README settings tables (run with -Dsluice.readme.write=true to render them)").isEqualTo(rendered);
    }

    @Test
    void everyVariableTheLoadersKnowIsInTheReadme() throws Exception {
        String readme = Files.readString(README);
        List<String> known = Stream.concat(PgEnvironment.knownVariables().stream(), NatsConfig.knownVariables().stream())
                .map(variable -> variable.equals("PG_ROLE") ? "PG_<POOL>_ROLE" : variable)
                .toList();
        assertThat(known).allSatisfy(variable -> assertThat(readme).contains("`" + variable + "`"));
    }
}
