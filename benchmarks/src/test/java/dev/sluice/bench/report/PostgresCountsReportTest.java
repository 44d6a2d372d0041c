package dev.sluice.bench.report;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The report's table of what each system made PostgreSQL do per operation. */
class PostgresCountsReportTest {

    private static SystemResult withCounts(String name, double opsPerSec, Map<String, Object> postgres) {
        SystemResult plain = Fixtures.system(name, opsPerSec);
        Map<String, Object> details = new LinkedHashMap<>(plain.details());
        details.put(MarkdownReport.POSTGRES_DETAILS, postgres);
        return new SystemResult(name, opsPerSec, plain.p50Ms(), plain.p99Ms(), plain.maxMs(), plain.errors(), plain.peakThreads(),
                plain.heapBytes(), null, details);
    }

    private static Map<String, Object> counts(double commits, double inserted, double updated, Map<String, Object> byTable) {
        Map<String, Object> pg = new LinkedHashMap<>();
        pg.put("operations", 1_000L);
        pg.put("commitsPerOp", commits);
        pg.put("rowsWrittenPerOp", inserted + updated);
        pg.put("rowsInsertedPerOp", inserted);
        pg.put("rowsUpdatedPerOp", updated);
        pg.put("rowsDeletedPerOp", 0.0);
        pg.put("rowsWrittenPerOpByTable", byTable);
        return pg;
    }

    private static String render(List<SystemResult> systems) {
        ScenarioResult saga = new ScenarioResult("saga", "sagas", Map.of(), systems, Ratios.of("sluice-saga", systems), List.of(),
                List.of(), List.of());
        MachineInfo machine = new MachineInfo(2, 24L << 30, "OpenJDK 17", "18.6", "2.9.10", "2026-01-01T00:00:00Z", 1.5);
        return MarkdownReport.render(new BenchResults(machine, "quick", List.of(saga), List.of()));
    }

    @Test
    void showsCommitsAndRowsPerOperationForEachCountedSystem() {
        Map<String, Object> dbosTables = new LinkedHashMap<>();
        dbosTables.put("dbos.operation_outputs", 3.0);
        dbosTables.put("dbos.workflow_status", 2.0);
        dbosTables.put("public.orders", 1.0);
        String report = render(List.of(
                withCounts("sluice-saga", 2_000, counts(1.27, 5.0, 3.01, Map.of("public.orders", 1.0))),
                withCounts("dbos", 500, counts(16.02, 5.0, 1.0, dbosTables)),
                Fixtures.system("bare", 5_000),
                SystemResult.skipped("other", "not run")));

        assertThat(report).contains("| system | commits | rows written | inserted | updated | deleted | rows written by table |");
        assertThat(report).contains("| sluice-saga | 1.27 | 8.01 | 5.00 | 3.01 | 0.00 | public.orders 1.00 |");
        assertThat(report).contains("| dbos | 16.02 | 6.00 | 5.00 | 1.00 | 0.00 | dbos.operation_outputs 3.00, dbos.workflow_status 2.00, public.orders 1.00 |");
        String table = report.substring(report.indexOf("PostgreSQL per operation"));
        table = table.substring(0, table.indexOf("\n\n", table.indexOf("| system |")));
        assertThat(table).as("systems without counts, or not measured").doesNotContain("| bare |", "| other |");
    }

    @Test
    void hasNoSuchTableWhenNothingWasCounted() {
        String report = render(List.of(Fixtures.system("sluice-saga", 2_000), Fixtures.system("bare", 5_000)));

        assertThat(report).doesNotContain("PostgreSQL per operation");
    }
}
