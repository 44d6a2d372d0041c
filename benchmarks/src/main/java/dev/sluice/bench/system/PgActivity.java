package dev.sluice.bench.system;

import dev.sluice.bench.report.Ratios;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What PostgreSQL counted for one database, as {@code pg_stat_database} and {@code pg_stat_user_tables} report it:
 * transactions committed, and rows inserted, updated and deleted per table. A reading of the
 * counters ({@link PgActivityProbe#read()}) or the difference of two ({@link #since}), so that what a system made the
 * server do can be divided by the operations it completed ({@link #perOperation}).
 *
 * @param commits transactions committed ({@code xact_commit}), read-only ones included
 * @param tables  rows written per table, by {@code schema.table}
 */
public record PgActivity(long commits, Map<String, TableWrites> tables) {

    /** Nothing counted. */
    public static final PgActivity NONE = new PgActivity(0, Map.of());

    /**
     * Rows one table had written ({@code n_tup_ins}, {@code n_tup_upd}, {@code n_tup_del}).
     *
     * @param inserted rows inserted
     * @param updated  rows updated (HOT updates included)
     * @param deleted  rows deleted
     */
    public record TableWrites(long inserted, long updated, long deleted) {

        /** Rows written: inserted, updated and deleted together. */
        public long total() {
            return inserted + updated + deleted;
        }

        TableWrites minus(TableWrites earlier) {
            return new TableWrites(inserted - earlier.inserted, updated - earlier.updated, deleted - earlier.deleted);
        }

        TableWrites plus(TableWrites other) {
            return new TableWrites(inserted + other.inserted, updated + other.updated, deleted + other.deleted);
        }
    }

    public PgActivity {
        tables = Map.copyOf(Objects.requireNonNull(tables, "tables"));
    }

    /** Rows written to every table together. */
    public long rowsWritten() {
        return tables.values().stream().mapToLong(TableWrites::total).sum();
    }

    /** Rows inserted into every table together. */
    public long rowsInserted() {
        return tables.values().stream().mapToLong(TableWrites::inserted).sum();
    }

    /** Rows updated in every table together. */
    public long rowsUpdated() {
        return tables.values().stream().mapToLong(TableWrites::updated).sum();
    }

    /** Rows deleted from every table together. */
    public long rowsDeleted() {
        return tables.values().stream().mapToLong(TableWrites::deleted).sum();
    }

    /**
     * What was counted between {@code earlier} and this reading. A table that {@code earlier} did not have (created in
     * between) counts from zero; one that this reading no longer has (dropped in between) is left out.
     */
    public PgActivity since(PgActivity earlier) {
        Map<String, TableWrites> delta = new LinkedHashMap<>();
        tables.forEach((table, now) -> {
            TableWrites before = earlier.tables.get(table);
            TableWrites written = before == null ? now : now.minus(before);
            if (written.total() != 0) {
                delta.put(table, written);
            }
        });
        return new PgActivity(commits - earlier.commits, delta);
    }

    /** Both counts together (two turns of one system, say). */
    public PgActivity plus(PgActivity other) {
        Map<String, TableWrites> sum = new LinkedHashMap<>(tables);
        other.tables.forEach((table, written) -> sum.merge(table, written, TableWrites::plus));
        return new PgActivity(commits + other.commits, sum);
    }

    /**
     * These counts divided by {@code operations}, for a result's details: {@code operations}, {@code commits},
     * {@code rowsWritten}, and when at least one operation completed {@code commitsPerOp}, {@code rowsWrittenPerOp},
     * {@code rowsInsertedPerOp}, {@code rowsUpdatedPerOp}, {@code rowsDeletedPerOp} and {@code rowsWrittenPerOpByTable}
     * (tables in name order), rounded to three decimals.
     *
     * @throws IllegalArgumentException when {@code operations} is negative
     */
    public Map<String, Object> perOperation(long operations) {
        if (operations < 0) {
            throw new IllegalArgumentException("operations must not be negative, got " + operations);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("operations", operations);
        details.put("commits", commits);
        details.put("rowsWritten", rowsWritten());
        if (operations == 0) {
            return details;
        }
        details.put("commitsPerOp", per(commits, operations));
        details.put("rowsWrittenPerOp", per(rowsWritten(), operations));
        details.put("rowsInsertedPerOp", per(rowsInserted(), operations));
        details.put("rowsUpdatedPerOp", per(rowsUpdated(), operations));
        details.put("rowsDeletedPerOp", per(rowsDeleted(), operations));
        Map<String, Object> byTable = new LinkedHashMap<>();
        new TreeMap<>(tables).forEach((table, written) -> byTable.put(table, per(written.total(), operations)));
        details.put("rowsWrittenPerOpByTable", byTable);
        return details;
    }

    private static double per(long count, long operations) {
        return Ratios.round((double) count / operations, 3);
    }
}
