package dev.sluice.bench.system;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class PgbenchOutputTest {

    /** What pgbench 15 printed against PostgreSQL 18 on this machine. */
    private static final String OUTPUT = """
            pgbench (15.18 (Debian 15.18-0+deb12u1), server 18.6)
            transaction type: /work/target/bench/pgbench/select1.sql
            scaling factor: 1
            query mode: prepared
            number of clients: 8
            number of threads: 2
            maximum number of tries: 1
            duration: 2 s
            number of transactions actually processed: 94134
            number of failed transactions: 3 (0.003%)
            latency average = 0.169 ms
            initial connection time = 20.015 ms
            tps = 47446.500837 (without initial connection time)
            """;

    @Test
    void readsTpsFailuresAndTransactions() {
        assertThat(PgbenchOutput.tps(OUTPUT)).hasValue(47446.500837);
        assertThat(PgbenchOutput.failed(OUTPUT)).isEqualTo(3);
        assertThat(PgbenchOutput.processed(OUTPUT)).isEqualTo(94134);
    }

    @Test
    void olderOutputWithoutFailureLinesHasNoFailures() {
        assertThat(PgbenchOutput.failed("tps = 10.0 (without initial connection time)\n")).isZero();
        assertThat(PgbenchOutput.tps("no numbers here")).isEmpty();
    }

    @Test
    void readsLatenciesFromTheTransactionLogAndSkipsFailedOnes(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("pgbench_log.123");
        Files.writeString(log, """
                0 1 120 0 1700000000 100
                0 2 80 0 1700000000 200
                1 1 failed 0 1700000000 300
                1 2 1000 0 1700000000 400
                """);
        Histogram histogram = new Histogram(TimeUnit.MINUTES.toNanos(2), 3);

        long added = PgbenchOutput.readLog(log, histogram);

        assertThat(added).isEqualTo(3);
        assertThat(histogram.getMaxValue()).isBetween(999_000L, 1_001_000L);
        assertThat(histogram.getMinValue()).isBetween(79_900L, 80_100L);
    }

    @Test
    void locatesPgbenchNamedByTheEnvironmentOnlyWhenItIsExecutable(@TempDir Path dir) throws Exception {
        Path fake = dir.resolve("pgbench");
        Files.writeString(fake, "#!/bin/sh\n");

        assertThat(PgbenchSystem.locate(Map.of("SLUICE_PGBENCH", fake.toString()))).isEmpty();
        assertThat(fake.toFile().setExecutable(true)).isTrue();
        assertThat(PgbenchSystem.locate(Map.of("SLUICE_PGBENCH", fake.toString()))).contains(fake);
    }
}
