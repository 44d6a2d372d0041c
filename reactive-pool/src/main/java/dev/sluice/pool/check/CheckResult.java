package dev.sluice.pool.check;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What one run of a {@link HealthCheck} found: a status, the numbers it measured (readings, by name) and facts in
 * words (details, by name), and why it failed when it did. Immutable; built with {@link #healthy()},
 * {@link #degraded(String)} or {@link #unhealthy(String)}:
 *
 * <pre>{@code
 * CheckResult.healthy()
 *         .reading("orders.backlog", Reading.count(backlog))
 *         .detail("queue", "orders")
 *         .build();
 * }</pre>
 *
 * <p>Name readings {@code <kind>.<what>} in dotted lower-case words (such as {@code saga.outbox.undelivered}):
 * the Micrometer binding publishes each as {@code sluice.<name>}, alert rules select them by name.
 *
 * @param status   the subject's status
 * @param readings numbers by name, in insertion order
 * @param details  facts in words by name, in insertion order (such as a connection's state)
 * @param error    why the status is not HEALTHY, when there is a reason to give (always for UNHEALTHY)
 */
public record CheckResult(HealthStatus status, Map<String, Reading> readings, Map<String, String> details, Optional<String> error) {

    /** What a reading's name must look like: dotted lower-case words of letters, digits and {@code _}. */
    public static final Pattern READING_NAME = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z0-9_]+)*");

    /**
     * Copies the maps and checks the parts.
     *
     * @throws IllegalArgumentException when a reading's name is not dotted lower-case words, or an UNHEALTHY result
     *                                  has no error
     */
    public CheckResult {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(error, "error");
        for (String name : readings.keySet()) {
            if (!READING_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("reading name '" + name + "' must be dotted lower-case words such as 'orders.backlog'");
            }
        }
        if (status == HealthStatus.UNHEALTHY && error.isEmpty()) {
            throw new IllegalArgumentException("an UNHEALTHY check result must say why (error)");
        }
        readings = Collections.unmodifiableMap(new LinkedHashMap<>(readings));
        details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    /** A builder of a HEALTHY result. */
    public static Builder healthy() {
        return new Builder(HealthStatus.HEALTHY, null);
    }

    /** A builder of a DEGRADED result, for {@code reason} (such as {@code backlog 1200 above 1000}). */
    public static Builder degraded(String reason) {
        return new Builder(HealthStatus.DEGRADED, Objects.requireNonNull(reason, "reason"));
    }

    /** A builder of an UNHEALTHY result, for {@code reason}. */
    public static Builder unhealthy(String reason) {
        return new Builder(HealthStatus.UNHEALTHY, Objects.requireNonNull(reason, "reason"));
    }

    /** A builder of an UNHEALTHY result for {@code error}: its simple type name and the first line of its message. */
    public static Builder unhealthy(Throwable error) {
        return unhealthy(describe(error));
    }

    /** A builder of a result of {@code status}; {@code reason} may be null unless the status is UNHEALTHY. */
    public static Builder of(HealthStatus status, String reason) {
        return new Builder(Objects.requireNonNull(status, "status"), reason);
    }

    /** {@code error}'s simple type name and the first line of its message, such as {@code TimeoutException: ...}. */
    public static String describe(Throwable error) {
        String message = error.getMessage();
        if (message == null || message.isBlank()) {
            return error.getClass().getSimpleName();
        }
        int newline = message.indexOf('\n');
        return error.getClass().getSimpleName() + ": " + (newline < 0 ? message : message.substring(0, newline));
    }

    /** The reading named {@code name}, if measured. */
    public Optional<Reading> reading(String name) {
        return Optional.ofNullable(readings.get(name));
    }

    /** A builder starting from this result, to change its status or add readings. */
    public Builder toBuilder() {
        Builder b = new Builder(status, error.orElse(null));
        b.readings.putAll(readings);
        b.details.putAll(details);
        return b;
    }

    /** Builds a {@link CheckResult}; not thread-safe. */
    public static final class Builder {
        private HealthStatus status;
        private String error;
        private final Map<String, Reading> readings = new LinkedHashMap<>();
        private final Map<String, String> details = new LinkedHashMap<>();

        private Builder(HealthStatus status, String error) {
            this.status = status;
            this.error = error;
        }

        /** Adds (or replaces) the reading {@code name}. */
        public Builder reading(String name, Reading reading) {
            readings.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(reading, "reading"));
            return this;
        }

        /** Adds (or replaces) the detail {@code name}. */
        public Builder detail(String name, String value) {
            details.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Changes the status and reason; {@code reason} may be null unless the status is UNHEALTHY. */
        public Builder status(HealthStatus status, String reason) {
            this.status = Objects.requireNonNull(status, "status");
            this.error = reason;
            return this;
        }

        /**
         * Builds the result.
         *
         * @throws IllegalArgumentException see {@link CheckResult#CheckResult}
         */
        public CheckResult build() {
            return new CheckResult(status, readings, details, Optional.ofNullable(error));
        }
    }
}
