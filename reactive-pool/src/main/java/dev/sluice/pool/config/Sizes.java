package dev.sluice.pool.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one size grammar of every Sluice setting: a whole number of bytes with an optional unit {@code B},
 * {@code KB}, {@code MB}, {@code GB}, {@code TB} or their {@code KiB}, {@code MiB}, ... spellings ({@code 64MB},
 * {@code 512KiB}, {@code 1024}). Units are binary (1 KB = 1024 B), as NATS and PostgreSQL count them; a bare
 * number is bytes.
 */
public final class Sizes {

    /** The forms, for error messages. */
    public static final String FORMS = "a whole number with an optional unit B, KB, MB, GB or TB (1 KB = 1024 B), such as 64MB";

    private static final long KIB = 1024L;
    private static final Pattern SIZE = Pattern.compile("([0-9]{1,19})\\s*([KMGT]?I?B?)", Pattern.CASE_INSENSITIVE);

    private Sizes() {
    }

    /**
     * Parses a size of zero bytes or more.
     *
     * @throws IllegalArgumentException whose message is the fix (the forms accepted)
     */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("is not a size: write " + FORMS);
        }
        String unit = m.group(2).toUpperCase(Locale.ROOT);
        if (unit.equals("I") || unit.endsWith("I") || (unit.contains("I") && unit.length() != 3)) {
            throw new IllegalArgumentException("has an unknown unit '" + m.group(2) + "': write " + FORMS);
        }
        long factor = switch (unit.replace("I", "").replace("B", "")) {
            case "" -> 1;
            case "K" -> KIB;
            case "M" -> KIB * KIB;
            case "G" -> KIB * KIB * KIB;
            default -> KIB * KIB * KIB * KIB;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), factor);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("is too large");
        }
    }

    /** The shortest exact form: {@code 1GB}, {@code 512MB}, {@code 100B}. */
    public static String format(long bytes) {
        String[] units = {"B", "KB", "MB", "GB", "TB"};
        long value = bytes;
        int unit = 0;
        while (unit < units.length - 1 && value != 0 && value % KIB == 0) {
            value /= KIB;
            unit++;
        }
        return value + units[unit];
    }
}
