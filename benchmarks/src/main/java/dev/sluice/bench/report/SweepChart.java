package dev.sluice.bench.report;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Draws the caller sweep as a PNG line chart (XChart): throughput by concurrent callers, one line per system. */
public final class SweepChart {

    private static final int WIDTH = 900;
    private static final int HEIGHT = 520;

    private SweepChart() {
    }

    /**
     * Writes the chart of {@code sweep} to {@code file} (PNG), creating its directory. Runs headless.
     *
     * @throws IllegalArgumentException when the sweep is empty
     */
    public static void write(List<SweepPoint> sweep, String title, Path file) throws IOException {
        if (sweep.isEmpty()) {
            throw new IllegalArgumentException("no sweep points to draw");
        }
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("concurrent callers (log scale)").yAxisTitle("SELECT 1 per second").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisDecimalPattern("#,###");
        chart.getStyler().setXAxisDecimalPattern("#");
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        Map<String, List<SweepPoint>> bySystem = new LinkedHashMap<>();
        for (SweepPoint p : sweep) {
            bySystem.computeIfAbsent(p.system(), s -> new ArrayList<>()).add(p);
        }
        bySystem.forEach((system, points) -> {
            List<SweepPoint> sorted = points.stream().sorted(java.util.Comparator.comparingInt(SweepPoint::callers)).toList();
            List<Double> x = sorted.stream().map(p -> (double) p.callers()).toList();
            List<Double> y = sorted.stream().map(SweepPoint::opsPerSec).toList();
            chart.addSeries(system, x, y).setMarker(SeriesMarkers.CIRCLE);
        });
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
    }
}
