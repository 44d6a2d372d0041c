package dev.sluice.pool.kv;

import dev.sluice.pool.kv.internal.Redaction;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsing and describing of setting values shared by {@link NatsConfig} and {@link KvBucketConfig}. */
final class ConfigValues {

    static final long KIB = 1024L;
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([KMGT]?I?B?)", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?", Pattern.CASE_INSENSITIVE);
    private static final List<String> SCHEMES = List.of("nats", "tls", "ws", "wss");

    private ConfigValues() {
    }

    /** {@code name (ENV_VAR)} or just {@code name} when the setting has no variable. */
    static String label(String name, String env) {
        return env == null ? name : name + " (" + env + ")";
    }

    /**
     * Parses a byte size such as {@code 1GB}, {@code 512MB}, {@code 64KiB}, {@code 1024} or {@code -1}. Units are
     * binary (1 KB = 1024 bytes), as NATS counts them.
     *
     * @throws IllegalArgumentException with the accepted forms
     */
    static long parseSize(String text) {
        String value = text.trim();
        if ("-1".equals(value)) {
            return -1;
        }
        Matcher m = SIZE.matcher(value);
        if (!m.matches()) {
            throw new IllegalArgumentException("is not a size: use a whole number with an optional unit B, KB, MB, GB or TB (1 KB = 1024 B), such as 1GB, or -1 for unlimited");
        }
        String unit = m.group(2).toUpperCase(Locale.ROOT).replace("I", "").replace("B", "");
        long factor = switch (unit) {
            case "" -> 1;
            case "K" -> KIB;
            case "M" -> KIB * KIB;
            case "G" -> KIB * KIB * KIB;
            case "T" -> KIB * KIB * KIB * KIB;
            default -> throw new IllegalArgumentException("has an unknown unit '" + m.group(2) + "': use B, KB, MB, GB or TB");
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), factor);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("is too large");
        }
    }

    /** {@code 1GB}, {@code 512MB}, {@code 100B} or {@code unlimited}. */
    static String describeSize(long bytes) {
        if (bytes < 0) {
            return "unlimited";
        }
        String[] units = {"B", "KB", "MB", "GB", "TB"};
        long value = bytes;
        int unit = 0;
        while (unit < units.length - 1 && value != 0 && value % KIB == 0) {
            value /= KIB;
            unit++;
        }
        return value + units[unit];
    }

    /**
     * Parses a duration such as {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, an ISO-8601 duration such as
     * {@code PT5S}, or a bare number of seconds.
     */
    static Duration parseDuration(String text) {
        String value = text.trim();
        if (value.regionMatches(true, 0, "PT", 0, 2) || value.regionMatches(true, 0, "P", 0, 1)) {
            try {
                return Duration.parse(value.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("is not an ISO-8601 duration");
            }
        }
        Matcher m = DURATION.matcher(value);
        if (!m.matches()) {
            throw new IllegalArgumentException("is not a duration: use a whole number with a unit ms, s, m or h, such as 5s or 500ms (a bare number means seconds)");
        }
        long amount;
        try {
            amount = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("is too large");
        }
        String unit = m.group(2) == null ? "s" : m.group(2).toLowerCase(Locale.ROOT);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofSeconds(amount);
        };
    }

    /** {@code 500ms}, {@code 5s}, {@code 2m}: the shortest exact form. */
    static String describeDuration(Duration duration) {
        long millis = duration.toMillis();
        if (millis % 3_600_000 == 0 && millis != 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis % 60_000 == 0 && millis != 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }

    /** Parses a whole number, with a message that says so when it is not one. */
    static long parseLong(String text) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("is not a whole number");
        }
    }

    /**
     * Checks one server URL: scheme nats, tls, ws or wss, a host, and a port within 1-65535 when given.
     *
     * @return null when valid, else the reason
     */
    static String checkServerUrl(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return "is not a URL (" + e.getReason() + ")";
        }
        if (uri.getScheme() == null || !SCHEMES.contains(uri.getScheme().toLowerCase(Locale.ROOT))) {
            return "has scheme '" + uri.getScheme() + "': use nats://host:port (or tls://, ws://, wss://)";
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            return "has no host: use nats://host:port";
        }
        if (uri.getPort() != -1 && (uri.getPort() < 1 || uri.getPort() > 65535)) {
            return "has port " + uri.getPort() + ": ports are 1-65535";
        }
        return null;
    }

    /**
     * The URL with any user information (user, password or token) replaced by {@code ***}, for messages and
     * {@code toString()}.
     */
    static String redactUrl(String url) {
        return Redaction.url(url);
    }
}
