package dev.sluice.saga;

import dev.sluice.pool.config.ConfigException;
import dev.sluice.pool.config.Problems;
import dev.sluice.pool.config.Setting;

import java.util.regex.Pattern;

/**
 * Where the saga log lives: a PostgreSQL schema and a prefix for its table names. Immutable; validated when
 * built.
 *
 * <p>The tables are {@code <schema>.<prefix>saga}, {@code <prefix>saga_step}, {@code <prefix>saga_intervention}
 * and {@code <prefix>saga_schema_version}. SQL steps record their completion in the same transaction as their
 * effect, so the log must live in the database those steps write to.
 *
 * @param schema      the schema, created by the migration when absent (default {@code sluice})
 * @param tablePrefix prepended to every table and index name (default empty)
 */
public record SagaLogConfig(String schema, String tablePrefix) {

    /** Lower-case letters, digits and underscores, starting with a letter or underscore, at most 40 characters. */
    public static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,39}");

    /** Like {@link #SCHEMA}, but may be empty. */
    public static final Pattern PREFIX = Pattern.compile("([a-z_][a-z0-9_]{0,19})?");

    /** The schema of the log's tables. */
    public static final Setting<String> SCHEMA_NAME = Setting.text("schema", "sluice", value -> SCHEMA.matcher(value).matches(),
            "must be 1 to 40 lower-case letters, digits or underscores, starting with a letter or underscore (it is put into SQL text)",
            "[a-z_][a-z0-9_]{0,39}");
    /** The prefix of the log's table and index names. */
    public static final Setting<String> TABLE_PREFIX = Setting.text("tablePrefix", "", value -> PREFIX.matcher(value).matches(),
            "must be 0 to 20 lower-case letters, digits or underscores, starting with a letter or underscore (it is put into SQL text)",
            "([a-z_][a-z0-9_]{0,19})?");

    /** Schema {@code sluice}, no prefix. */
    public static final SagaLogConfig DEFAULT = new SagaLogConfig(SCHEMA_NAME.defaultValue(), TABLE_PREFIX.defaultValue());

    /**
     * @throws ConfigException naming each setting, its value and what is allowed, when the schema or the prefix is
     *                         not a plain lower-case identifier
     */
    public SagaLogConfig {
        Problems problems = new Problems("saga log");
        if (schema == null) {
            problems.add(SCHEMA_NAME, null, "is required");
        } else {
            problems.check(SCHEMA_NAME, schema);
        }
        if (tablePrefix == null) {
            problems.add(TABLE_PREFIX, null, "is required (use \"\" for none)");
        } else {
            problems.check(TABLE_PREFIX, tablePrefix);
        }
        problems.throwIfAny();
    }
}
