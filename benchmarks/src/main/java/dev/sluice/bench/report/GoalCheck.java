package dev.sluice.bench.report;

import java.util.Map;
import java.util.Objects;

/**
 * One goal of the brief (section 6) beside what this run measured.
 *
 * @param name     what is compared, such as {@code sluice/r2dbc-pool} or {@code errors}
 * @param goal     the brief's goal, as text, such as {@code ≥ 1.0×}
 * @param measured what was measured, as text
 * @param met      whether the goal was met; null when it could not be decided (a peer was skipped)
 */
public record GoalCheck(String name, String goal, String measured, Boolean met) {

    public GoalCheck {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(goal, "goal");
        Objects.requireNonNull(measured, "measured");
    }

    /**
     * A ratio goal: {@code ratios.get(name) ≥ minimum}. Undecided (met null) when the ratio is missing, with the
     * reason as the measured text.
     */
    public static GoalCheck ratioAtLeast(String name, double minimum, Map<String, Double> ratios, String whyMissing) {
        Double ratio = ratios.get(name);
        String goal = "≥ " + Ratios.format(minimum) + "×";
        if (ratio == null) {
            return new GoalCheck(name, goal, whyMissing, null);
        }
        return new GoalCheck(name, goal, Ratios.format(ratio) + "×", ratio >= minimum);
    }
}
