package dev.sluice.bench.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SweepChartTest {

    @Test
    void drawsAPng(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("out/caller-sweep.png");

        SweepChart.write(Fixtures.poolRoundTrip().sweep(), "sweep", file);

        byte[] png = Files.readAllBytes(file);
        assertThat(java.util.Arrays.copyOf(png, 4)).containsExactly((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
    }

    @Test
    void refusesAnEmptySweep(@TempDir Path dir) {
        assertThatThrownBy(() -> SweepChart.write(List.of(), "sweep", dir.resolve("x.png")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
