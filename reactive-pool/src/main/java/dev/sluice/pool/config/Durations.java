package dev.sluice.pool.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one duration grammar of every Sluice setting: a whole number and a unit, {@code ms}, {@code s}, {@code m}
 * (or {@code min}), {@code h} or {@code d} ({@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}), or an ISO-8601
 * duration ({@code PT30S}, {@code PT1M30S}, {@code P1D}). A bare number is refused, because its unit would be a
 * guess, except {@code 0} and except where a name's own convention fixes the unit (libpq's
 * {@code connect_timeout} in seconds, PostgreSQL's {@code statement_timeout} in milliseconds, a variable whose
 * name ends in {@code _MINUTES}): callers pass that unit to {@link #parse(String, ChronoUnit)}.
 */
public final class Durations {

    /** The forms, for error messages. */
    public static final String FORMS = "a whole number with a unit ms, s, m, h or d (250ms, 30s, 5m, 1h), or ISO-8601 (PT30S)";

    private static final Pattern WITH_UNIT = Pattern.compile("([0-9]{1,15})\\s*(ms|s|min|m|h|d)?", Pattern.CASE_INSENSITIVE);

    private Durations() {
    }

    /**
     * Parses {@code text} with the grammar above; a bare number other than 0 is refused.
     *
     * @throws IllegalArgumentException whose message is the fix (the forms accepted)
     */
    public static Duration parse(String text) {
        return parse(text, null);
    }

    /**
     * Parses {@code text}; a bare number is read in {@code bareUnit}, or refused when it is {@code null}.
     *
     * @throws IllegalArgumentException whose message is the fix (the forms accepted)
     */
    public static Duration parse(String text, ChronoUnit bareUnit) {
        String value = text.trim();
        if (value.regionMatches(true, 0, "P", 0, 1)) {
            try {
                Duration parsed = Duration.parse(value.toUpperCase(Locale.ROOT));
                if (parsed.isNegative()) {
                    throw new IllegalArgumentException("must not be negative: " + FORMS);
                }
                return parsed;
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("is not an ISO-8601 duration; write " + FORMS);
            }
        }
        Matcher m = WITH_UNIT.matcher(value);
        if (!m.matches()) {
            throw new IllegalArgumentException("is not a duration: write " + FORMS);
        }
        long amount = Long.parseLong(m.group(1));
        if (m.group(2) == null) {
            if (amount == 0) {
                return Duration.ZERO;
            }
            if (bareUnit == null) {
                throw new IllegalArgumentException("has no unit (a bare number's unit would be a guess): write "
                        + amount + "s, " + amount + "ms or " + FORMS);
            }
            return Duration.of(amount, bareUnit);
        }
        return switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m", "min" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }

    /** The shortest exact form in this grammar: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 1d}. */
    public static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis == 0) {
            return "0s";
        }
        if (millis % 86_400_000 == 0) {
            return millis / 86_400_000 + "d";
        }
        if (millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }
}
