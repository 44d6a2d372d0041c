package dev.sluice.health.internal;

import java.time.Duration;
import java.util.Locale;

/** Durations for people: {@code 850 ms}, {@code 2.5 s}, {@code 26 s}, {@code 3 min 20 s}, {@code 2 h 5 min}. */
public final class Durations {

    private Durations() {
    }

    /** {@code duration} in the largest unit that keeps it readable. */
    public static String words(Duration duration) {
        long millis = duration.toMillis();
        if (millis < 1_000) {
            return millis + " ms";
        }
        if (millis < 10_000) {
            String seconds = String.format(Locale.ROOT, "%.1f", millis / 1_000.0);
            return (seconds.endsWith(".0") ? seconds.substring(0, seconds.length() - 2) : seconds) + " s";
        }
        if (millis < 60_000) {
            return Math.round(millis / 1_000.0) + " s";
        }
        long seconds = duration.toSeconds();
        if (seconds < 3_600) {
            return seconds / 60 + " min" + (seconds % 60 == 0 ? "" : " " + seconds % 60 + " s");
        }
        long minutes = duration.toMinutes();
        return minutes / 60 + " h" + (minutes % 60 == 0 ? "" : " " + minutes % 60 + " min");
    }
}
