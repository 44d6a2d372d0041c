package dev.sluice.bench.report;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MarkdownReportTest {

    private final String report = MarkdownReport.render(Fixtures.results());

    @Test
    void hasOneSystemsTablePerScenario() {
        assertThat(report).contains("## pool-round-trip", "## health-overhead");
        assertThat(report.split("\\| system \\| ops/s \\|", -1)).hasSize(3);
        assertThat(report).contains("| sluice | 21,000 | 1.50 | 4.25 | 12.0 | 0 | 20 | 2 | 16.0 |");
    }

    @Test
    void putsTheBriefsGoalBesideEachRatio() {
        assertThat(report).contains("| ratio or check | measured | goal (brief, section 6) | met |");
        assertThat(report).contains("| sluice/r2dbc-pool | 1.05× | ≥ 1.00× | yes |");
        assertThat(report).contains("| sluice/hikaricp | 0.70× | ≥ 1.30× | **no** |");
        assertThat(report).contains("| sluice/pgbench | not measured (a system was skipped) | ≥ 0.75× | n/a |");
    }

    @Test
    void saysWhySystemsWereSkipped() {
        assertThat(report).contains("- **pgbench** skipped: pgbench not found");
        assertThat(report).contains("- **sluice-health-off** skipped: reactive-health not built in this branch");
    }

    @Test
    void showsTheSweepWithItsChartAndTheMicrobenchmarks() {
        assertThat(report).contains("| 64 | 21,000 (4.20) | 20,000 (4.30) | 1.05× |");
        assertThat(report).contains("![throughput by concurrent callers](caller-sweep.png)");
        assertThat(report).contains("## Microbenchmarks (JMH)");
        assertThat(report).contains("sluice-layers at 0.50× the throughput of r2dbc-pool");
    }

    @Test
    void describesTheMachineAndWarnsAboutNoise() {
        assertThat(report).contains("2 cores, 24 GiB memory", "PostgreSQL 18.6", "nats-server 2.9.10", "noisy");
    }
}
