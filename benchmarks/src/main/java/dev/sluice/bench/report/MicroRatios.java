package dev.sluice.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Ratios between JMH results of one benchmark method that differ only in their {@code pool} parameter: every
 * variant against the {@code r2dbc-pool} baseline, as throughput (baseline time ÷ variant time, for results in time
 * per operation).
 */
public final class MicroRatios {

    /** The parameter that names the variant being compared. */
    public static final String VARIANT = "pool";
    /** The variant every other one is compared with. */
    public static final String BASELINE = "r2dbc-pool";

    private MicroRatios() {
    }

    /** One sentence per variant that has a baseline measured with the same method and threads. */
    public static List<String> describe(List<MicroResult> results) {
        List<String> lines = new ArrayList<>();
        for (MicroResult baseline : results) {
            if (!BASELINE.equals(baseline.params().get(VARIANT)) || !baseline.unit().endsWith("/op")) {
                continue;
            }
            for (MicroResult variant : results) {
                if (variant == baseline || !variant.benchmark().equals(baseline.benchmark()) || variant.threads() != baseline.threads()
                        || !variant.params().containsKey(VARIANT) || !sameOtherParams(variant.params(), baseline.params())) {
                    continue;
                }
                double throughputRatio = baseline.score() / variant.score();
                lines.add(String.format(Locale.ROOT, "%s, %d thread(s): %s at %.2f× the throughput of %s (%.0f vs %.0f %s)",
                        baseline.benchmark(), baseline.threads(), variant.params().get(VARIANT), throughputRatio, BASELINE,
                        variant.score(), baseline.score(), baseline.unit()));
            }
        }
        return lines;
    }

    private static boolean sameOtherParams(Map<String, String> a, Map<String, String> b) {
        return without(a).equals(without(b));
    }

    private static Map<String, String> without(Map<String, String> params) {
        return params.entrySet().stream().filter(e -> !Objects.equals(e.getKey(), VARIANT))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }
}
