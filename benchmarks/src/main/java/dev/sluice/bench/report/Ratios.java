package dev.sluice.bench.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Ratios of Sluice's throughput to its peers', and how they are written. */
public final class Ratios {

    private Ratios() {
    }

    /**
     * {@code "<subject>/<peer>" → subject ops/s ÷ peer ops/s} for every measured peer, in the order of
     * {@code systems}. Nothing when the subject itself was not measured; a peer that was skipped, or that completed
     * no operation, has no ratio.
     */
    public static Map<String, Double> of(String subject, List<SystemResult> systems) {
        Map<String, Double> ratios = new LinkedHashMap<>();
        SystemResult base = systems.stream().filter(s -> s.name().equals(subject)).findFirst().orElse(null);
        if (base == null || !base.measured()) {
            return ratios;
        }
        for (SystemResult peer : systems) {
            if (peer.name().equals(subject) || !peer.measured() || peer.opsPerSec() <= 0) {
                continue;
            }
            ratios.put(subject + "/" + peer.name(), round(base.opsPerSec() / peer.opsPerSec(), 3));
        }
        return ratios;
    }

    /** Rounds to {@code digits} decimals. */
    public static double round(double value, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }

    /** A ratio as text with two decimals, such as {@code 1.05}. */
    public static String format(double ratio) {
        return String.format(Locale.ROOT, "%.2f", ratio);
    }
}
