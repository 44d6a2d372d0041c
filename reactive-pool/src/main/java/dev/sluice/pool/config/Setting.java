package dev.sluice.pool.config;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The declaration of one setting: its name, type, default, valid range, environment variable, whether it is a
 * secret and whether named pools inherit it, and the text of its row in the README's tables. A configured type
 * declares each of its settings once; its builder checks values with {@link #problem(Object)}, environment
 * loading reads text with {@link #parse(String)}, and error messages and documentation use {@link #range()},
 * {@link #format()} and {@link #defaultText()}. Immutable; the {@code with...} methods return changed copies.
 *
 * @param <T> the value type; {@code null} stands for "not set" (allowed only when the setting is optional)
 */
public final class Setting<T> {

    private static final Pattern WHOLE = Pattern.compile("-?[0-9]{1,12}");
    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,6}(\\.[0-9]{1,9})?|\\.[0-9]{1,9}");

    private String name;
    private Function<String, T> parser;
    private Function<T, String> check;
    private T defaultValue;
    private String defaultText;
    private String range;
    private String format;
    private String envSuffix;
    private boolean secret;
    private boolean inherited;
    private boolean optional;
    private String offMeans;
    private String doc = "";
    private Function<T, String> shower = String::valueOf;
    private Function<String, String> rawShower = Function.identity();
    private T minimum;
    private T maximum;

    private Setting() {
    }

    private Setting<T> copy() {
        Setting<T> c = new Setting<>();
        c.name = name;
        c.parser = parser;
        c.check = check;
        c.defaultValue = defaultValue;
        c.defaultText = defaultText;
        c.range = range;
        c.format = format;
        c.envSuffix = envSuffix;
        c.secret = secret;
        c.inherited = inherited;
        c.optional = optional;
        c.offMeans = offMeans;
        c.doc = doc;
        c.shower = shower;
        c.rawShower = rawShower;
        c.minimum = minimum;
        c.maximum = maximum;
        return c;
    }

    private static <T> Setting<T> base(String name, T defaultValue, Function<String, T> parser, Function<T, String> check,
                                       String range, String format) {
        Setting<T> s = new Setting<>();
        s.name = Objects.requireNonNull(name, "name");
        s.defaultValue = defaultValue;
        s.parser = parser;
        s.check = check;
        s.range = range;
        s.format = format;
        return s;
    }

    /** A whole number from {@code min} to {@code max}. */
    public static Setting<Integer> integer(String name, Integer defaultValue, int min, int max) {
        String range = number(min) + " to " + number(max);
        String rule = "must be a whole number between " + number(min) + " and " + number(max);
        return bounded(min, max, base(name, defaultValue, raw -> {
            String text = raw.trim();
            if (!WHOLE.matcher(text).matches()) {
                throw new IllegalArgumentException(rule);
            }
            long value = Long.parseLong(text);
            if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(rule);
            }
            return (int) value;
        }, value -> value < min || value > max ? rule : null, range, "count"));
    }

    private static <T> Setting<T> bounded(T min, T max, Setting<T> setting) {
        setting.minimum = min;
        setting.maximum = max;
        return setting;
    }

    /** A fraction from {@code min} to {@code max} (above {@code min} when {@code minExclusive}). */
    public static Setting<Double> decimal(String name, Double defaultValue, double min, boolean minExclusive, double max) {
        String range = (minExclusive ? "above " + decimalText(min) + ", at most " : decimalText(min) + " to ") + decimalText(max);
        String rule = "must be a fraction " + (minExclusive ? "above " + decimalText(min) + " and at most " : "between " + decimalText(min) + " and ")
                + decimalText(max);
        return base(name, defaultValue, raw -> {
            String text = raw.trim();
            if (!DECIMAL.matcher(text).matches()) {
                throw new IllegalArgumentException(rule);
            }
            return Double.parseDouble(text);
        }, value -> !(minExclusive ? value > min : value >= min) || !(value <= max) ? rule : null, range, "fraction");
    }

    /** A duration from {@code min} to {@code max}, in the {@link Durations} grammar. */
    public static Setting<Duration> duration(String name, Duration defaultValue, Duration min, Duration max) {
        String range = describe(min) + " to " + describe(max);
        String rule = "must be a duration " + (min.isZero() ? "from 0" : min.equals(Duration.ofMillis(1)) ? "above zero" : "of at least " + describe(min))
                + " and at most " + describe(max) + " (" + Durations.FORMS + ")";
        Setting<Duration> s = bounded(min, max, base(name, defaultValue, Durations::parse,
                value -> value.compareTo(min) < 0 || value.compareTo(max) > 0 ? rule : null, range, "duration"));
        s.shower = Durations::format;
        return s;
    }

    /** A text that {@code valid} accepts; {@code rule} says what is accepted. */
    public static Setting<String> text(String name, String defaultValue, Predicate<String> valid, String rule, String range) {
        return base(name, defaultValue, String::trim, value -> valid.test(value) ? null : rule, range, "text");
    }

    /** A secret text (a password, a token), taken exactly as written (spaces included) and never shown. */
    public static Setting<String> secretText(String name) {
        return base(name, (String) null, raw -> raw, value -> null, "—", "text (never shown)").secret();
    }

    /** A readable file. */
    public static Setting<Path> file(String name) {
        Setting<Path> s = base(name, null, raw -> {
            try {
                return Path.of(raw.trim());
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException("is not a file path (" + e.getReason() + ")");
            }
        }, path -> Files.isReadable(path) ? null : "is not a readable file: check the path and its permissions", "readable file", "path");
        s.optional = true;
        return s;
    }

    /** One of {@code type}'s constants, written in any case ({@code -} for {@code _}). */
    public static <E extends Enum<E>> Setting<E> enumeration(String name, Class<E> type, E defaultValue) {
        String names = Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(", "));
        return base(name, defaultValue, raw -> {
            try {
                return Enum.valueOf(type, raw.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("must be one of " + names);
            }
        }, value -> null, "—", names);
    }

    /** {@code true} or {@code false}. */
    public static Setting<Boolean> bool(String name, boolean defaultValue) {
        return base(name, defaultValue, raw -> {
            String text = raw.trim().toLowerCase(Locale.ROOT);
            if (!text.equals("true") && !text.equals("false")) {
                throw new IllegalArgumentException("must be true or false");
            }
            return Boolean.parseBoolean(text);
        }, value -> null, "—", "`true`, `false`");
    }

    /** A setting of any type, parsed and checked by the given functions (each returns or throws the fix). */
    public static <T> Setting<T> of(String name, T defaultValue, Function<String, T> parser, Function<T, String> check,
                                    String range, String format) {
        return base(name, defaultValue, parser, check, range, format);
    }

    /** The same setting, read from the variable {@code <prefix><suffix>} ({@code PG_} + {@code MAX_CONNECTIONS}). */
    public Setting<T> env(String suffix) {
        Setting<T> c = copy();
        c.envSuffix = suffix;
        return c;
    }

    /** The same setting, secret: its value is never shown. */
    public Setting<T> secret() {
        Setting<T> c = copy();
        c.secret = true;
        c.shower = value -> ConfigProblem.MASKED;
        return c;
    }

    /**
     * The same setting, whose values and texts are shown through {@code redact} (for URLs that may carry a user
     * and password).
     */
    public Setting<T> redacting(Function<String, String> redact, Function<T, String> show) {
        Setting<T> c = copy();
        c.rawShower = redact;
        c.shower = show;
        return c;
    }

    /** The same setting, inherited by named pools from the default pool. */
    public Setting<T> inherited() {
        Setting<T> c = copy();
        c.inherited = true;
        return c;
    }

    /** The same setting, which may be unset ({@code null}). */
    public Setting<T> optional() {
        Setting<T> c = copy();
        c.optional = true;
        return c;
    }

    /** The same setting, which may be unset, written {@code off} in the environment; {@code meaning} says what off does. */
    public Setting<T> orOff(String meaning) {
        Setting<T> c = optional();
        c.offMeans = meaning;
        Function<String, T> inner = parser;
        c.parser = raw -> raw.trim().equalsIgnoreCase("off") ? null : inner.apply(raw);
        return c;
    }

    /** The same setting, whose environment form reads a bare number in {@code unit} (where a convention fixes it). */
    public Setting<T> bareNumberIn(ChronoUnit unit, Function<Duration, T> convert) {
        Setting<T> c = copy();
        Function<String, T> inner = parser;
        c.parser = raw -> raw.trim().matches("[0-9]{1,15}") ? convert.apply(Durations.parse(raw, unit)) : inner.apply(raw);
        return c;
    }

    /** The same setting with its README texts. */
    public Setting<T> doc(String doc, String format, String defaultText) {
        Setting<T> c = copy();
        c.doc = doc;
        if (format != null) {
            c.format = format;
        }
        c.defaultText = defaultText;
        return c;
    }

    /** The same setting with another text for its range. */
    public Setting<T> range(String range) {
        Setting<T> c = copy();
        c.range = range;
        return c;
    }

    /** The name, as the builder method ({@code maxConnections}). */
    public String name() {
        return name;
    }

    /** The default, or {@code null} when there is none. */
    public T defaultValue() {
        return defaultValue;
    }

    /** The lowest valid value of a whole-number or duration setting, else {@code null}. */
    public T minimum() {
        return minimum;
    }

    /** The highest valid value of a whole-number or duration setting, else {@code null}. */
    public T maximum() {
        return maximum;
    }

    /** The variable suffix ({@code MAX_CONNECTIONS}), or {@code null} when the environment cannot set it. */
    public String envSuffix() {
        return envSuffix;
    }

    /** Whether the value is a secret, never shown. */
    public boolean isSecret() {
        return secret;
    }

    /** Whether named pools inherit it from the default pool. */
    public boolean isInherited() {
        return inherited;
    }

    /** Whether it may be unset. */
    public boolean isOptional() {
        return optional;
    }

    /** The valid range, as the README writes it. */
    public String range() {
        return range;
    }

    /** How the environment writes it, as the README does. */
    public String format() {
        return offMeans == null ? format : format + "; `off`";
    }

    /** The default, as the README writes it. */
    public String defaultText() {
        if (defaultText != null) {
            return defaultText;
        }
        return defaultValue == null ? "none" : "`" + shower.apply(defaultValue) + "`";
    }

    /** What it is for, as the README writes it. */
    public String doc() {
        return doc;
    }

    /**
     * Reads the environment form of a value.
     *
     * @throws IllegalArgumentException whose message is the fix, when the text is not a value of this type
     */
    public T parse(String raw) {
        return parser.apply(raw);
    }

    /** What is wrong with {@code value} (the fix), or {@code null} when it is valid. */
    public String problem(T value) {
        if (value == null) {
            return optional ? null : "is required" + (range.equals("—") ? "" : ": " + range);
        }
        return check.apply(value);
    }

    /** {@code value} as messages show it: masked for a secret. */
    public String show(T value) {
        return value == null ? null : shower.apply(value);
    }

    /** The text of a value as written, as messages show it: masked for a secret, redacted where declared. */
    public String showRaw(String raw) {
        return secret ? ConfigProblem.MASKED : rawShower.apply(raw);
    }

    @Override
    public String toString() {
        return name;
    }

    private static String number(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String decimalText(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static String describe(Duration d) {
        long millis = d.toMillis();
        if (millis == 0) {
            return "0";
        }
        if (millis % 86_400_000 == 0) {
            return millis / 86_400_000 + (millis == 86_400_000 ? " day" : " days");
        }
        if (millis % 3_600_000 == 0) {
            return millis / 3_600_000 + " h";
        }
        if (millis % 60_000 == 0) {
            return millis / 60_000 + " min";
        }
        if (millis % 1000 == 0) {
            return millis / 1000 + " s";
        }
        return millis + " ms";
    }
}
