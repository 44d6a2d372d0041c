package dev.sluice.saga.internal;

/**
 * The qualified names of the saga log's tables (internal), and the filling-in of the log's SQL templates: a
 * template names each table by a placeholder ({@code {saga}}, {@code {step}}, {@code {prepared}}, {@code {outbox}},
 * {@code {intervention}}) and the saga fence as {@code {fence}} (see {@link SagaTable#FENCE}).
 *
 * @param saga         the saga table
 * @param step         the step table
 * @param prepared     the two-phase sagas' prepared-transaction table
 * @param outbox       the eventual sagas' outbox table
 * @param intervention the manual-intervention table
 */
public record TableNames(String saga, String step, String prepared, String outbox, String intervention) {

    /** The tables of a log in {@code schema} whose names start with {@code prefix}. */
    public static TableNames of(String schema, String prefix) {
        String base = schema + "." + prefix + "saga";
        return new TableNames(base, base + "_step", base + "_prepared", base + "_outbox", base + "_intervention");
    }

    /** {@code template} with its placeholders replaced by the tables' names. */
    public String sql(String template) {
        return template.replace("{fence}", SagaTable.FENCE)
                .replace("{saga}", saga)
                .replace("{step}", step)
                .replace("{prepared}", prepared)
                .replace("{outbox}", outbox)
                .replace("{intervention}", intervention);
    }
}
