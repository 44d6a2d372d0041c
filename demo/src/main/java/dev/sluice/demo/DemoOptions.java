package dev.sluice.demo;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's options, from the command line ({@code --duration 60s --port 8080 --interval 1s}) or, for the first two,
 * the environment ({@code SLUICE_DEMO_DURATION}, {@code SLUICE_DEMO_PORT}); the command line wins.
 *
 * @param duration how long the workload runs before the demo shuts down (3 s to 1 h; 60 s by default)
 * @param port     the health endpoint's port on 127.0.0.1 (0 for any free port; 8080 by default)
 * @param interval time between two health samples (100 ms to 10 s; 1 s by default)
 */
record DemoOptions(Duration duration, int port, Duration interval) {

    static final String USAGE = """
            usage: ./run demo [--duration 60s] [--port 8080] [--interval 1s]

              --duration  how long the workload runs, 3s to 1h (env SLUICE_DEMO_DURATION); Ctrl-C ends it early
              --port      port of the health endpoint on 127.0.0.1, 0 for any free port (env SLUICE_DEMO_PORT)
              --interval  time between two health samples, 100ms to 10s

            Servers: SLUICE_PG_URL and SLUICE_NATS_URL name your own; otherwise embedded ones are started.""";

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|min)?");

    /** Thrown for an option the demo cannot use; the message says which and why. */
    static final class BadOption extends RuntimeException {
        BadOption(String message) {
            super(message);
        }
    }

    /**
     * Parses the arguments over the environment's defaults.
     *
     * @throws BadOption naming the option, the value and what is allowed
     */
    static DemoOptions parse(String[] args, Map<String, String> env) {
        String duration = env.getOrDefault("SLUICE_DEMO_DURATION", "60s");
        String port = env.getOrDefault("SLUICE_DEMO_PORT", "8080");
        String interval = "1s";
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (name) {
                case "--duration" -> duration = required(name, value);
                case "--port" -> port = required(name, value);
                case "--interval" -> interval = required(name, value);
                default -> throw new BadOption("unknown option '" + name + "'");
            }
            i++;
        }
        return new DemoOptions(
                duration("--duration", duration, Duration.ofSeconds(3), Duration.ofHours(1)),
                port(port),
                duration("--interval", interval, Duration.ofMillis(100), Duration.ofSeconds(10)));
    }

    private static String required(String name, String value) {
        if (value == null || value.startsWith("--")) {
            throw new BadOption(name + " needs a value");
        }
        return value;
    }

    private static Duration duration(String name, String text, Duration min, Duration max) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new BadOption(name + " '" + text + "' is not a duration such as 500ms, 30s or 2m");
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        Duration value = switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "m", "min" -> Duration.ofMinutes(amount);
            default -> Duration.ofSeconds(amount);
        };
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new BadOption(name + " " + text + " is out of range: " + min.toMillis() + " ms to " + max.toMillis() + " ms");
        }
        return value;
    }

    private static int port(String text) {
        try {
            int port = Integer.parseInt(text.trim());
            if (port >= 0 && port <= 65_535) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new BadOption("--port '" + text + "' must be a number from 0 to 65535");
    }
}
