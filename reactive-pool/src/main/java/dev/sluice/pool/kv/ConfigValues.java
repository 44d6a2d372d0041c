package dev.sluice.pool.kv;

import dev.sluice.pool.kv.internal.Redaction;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** Describing of setting values and checking of server URLs, shared by {@link NatsConfig} and {@link KvBucketConfig}. */
final class ConfigValues {

    private static final List<String> SCHEMES = List.of("nats", "tls", "ws", "wss");

    private ConfigValues() {
    }

    /** {@code 1GB}, {@code 512MB}, {@code 100B} or {@code unlimited}. */
    static String describeSize(long bytes) {
        return bytes < 0 ? "unlimited" : dev.sluice.pool.config.Sizes.format(bytes);
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
