package dev.sluice.saga;

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

    /** Schema {@code sluice}, no prefix. */
    public static final SagaLogConfig DEFAULT = new SagaLogConfig("sluice", "");

    /**
     * @throws IllegalArgumentException naming the setting, the value and what is allowed, when the schema or the
     *                                  prefix is not a plain lower-case identifier (they are put into SQL text)
     */
    public SagaLogConfig {
        if (schema == null || !SCHEMA.matcher(schema).matches()) {
            throw new IllegalArgumentException("saga log schema '" + schema + "' is not allowed: use 1 to 40 lower-case letters, "
                    + "digits or underscores, starting with a letter or underscore");
        }
        if (tablePrefix == null || !PREFIX.matcher(tablePrefix).matches()) {
            throw new IllegalArgumentException("saga log table prefix '" + tablePrefix + "' is not allowed: use 0 to 20 lower-case "
                    + "letters, digits or underscores, starting with a letter or underscore");
        }
    }
}
