package dev.sluice.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The command line of {@code ./run bench}, with the two profiles: the default (15 minutes or more on two cores, the
 * build included) and {@code --quick} (about 3 minutes: the same scenarios and systems, shorter windows and
 * warm-ups, one round, and the JMH benchmarks in the benchmark's own JVM).
 *
 * @param quick         whether the quick profile was chosen
 * @param scenarios     the scenarios to run, in the order given (all by default)
 * @param warmup        warm-up before each measurement window
 * @param duration      length of each measurement window
 * @param rounds        turns each system gets in the headline measurements, alternating with its peers
 * @param sweepWarmup   warm-up of each point of the caller sweep
 * @param sweepDuration window of each point of the caller sweep
 * @param firstWarmup   warm-up of the first turn of each kind of system in the run (JIT compilation)
 * @param priming       how long the shared R2DBC stack runs before the first PostgreSQL turn (see {@code ScenarioContext})
 * @param callers       overrides every selected scenario's number of concurrent callers
 * @param poolSize      overrides every selected scenario's pool size
 * @param output        where results.json, report.md and the chart go
 * @param overridden    whether --duration, --warmup, --rounds, --callers or --pool-size changed the profile
 * @param warmupGiven   whether --warmup set every warm-up
 */
public record BenchOptions(boolean quick, List<String> scenarios, Duration warmup, Duration duration, int rounds,
                           Duration sweepWarmup, Duration sweepDuration, Duration firstWarmup, Duration priming, OptionalInt callers,
                           OptionalInt poolSize, Path output, boolean overridden, boolean warmupGiven) {

    /** Scenario names accepted by {@code --scenario}, in the order a full run takes them. */
    public static final List<String> SCENARIOS = List.of("pool-round-trip", "app", "callers-10k", "kv", "health-overhead", "saga", "restart", "jmh");

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m)?");

    /** The usage text. */
    public static final String USAGE = """
            usage: ./run bench [--quick] [--scenario NAME]... [--duration D] [--warmup D] [--rounds N]
                               [--callers N] [--pool-size N] [--output DIR]

              --quick            short windows and warm-ups, one round: about 3 minutes instead of 15 or more
              --scenario NAME    run only this scenario (repeat, or separate with commas):
                                 pool-round-trip, app, callers-10k, kv, health-overhead, saga, restart, jmh
              --duration D       length of each measurement window (10s by default, 2s with --quick; 500ms, 1m, ...)
              --warmup D         warm-up before each window (3s by default, 1s with --quick; the first
                                 turn of each system warms up for 6s, 2s with --quick, and the shared
                                 R2DBC stack runs 6s, 4s with --quick, before the first; the saga scenario's
                                 first turns warm up five times as long; unless this is given)
              --rounds N         turns of each system, alternating with its peers (2 by default, 1 with --quick)
              --callers N        concurrent callers of every selected scenario (defaults: 64; 10000 for callers-10k)
              --pool-size N      pool size of every selected scenario (defaults: 8; 20 for callers-10k)
              --output DIR       where results.json, report.md and caller-sweep.png go (default target/bench)
            """;

    public BenchOptions {
        scenarios = List.copyOf(scenarios);
    }

    /**
     * Parses the arguments.
     *
     * @throws IllegalArgumentException naming the argument, the value and what is accepted
     */
    public static BenchOptions parse(String... args) {
        boolean quick = false;
        List<String> scenarios = new ArrayList<>();
        Duration warmup = null;
        Duration duration = null;
        Integer rounds = null;
        Integer callers = null;
        Integer poolSize = null;
        Path output = Path.of("target", "bench");
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--quick" -> quick = true;
                case "--scenario" -> {
                    for (String name : value(args, ++i, arg).split(",")) {
                        String n = name.trim().toLowerCase(Locale.ROOT);
                        if (!SCENARIOS.contains(n)) {
                            throw new IllegalArgumentException("--scenario " + name + ": unknown scenario; the scenarios are " + SCENARIOS);
                        }
                        if (!scenarios.contains(n)) {
                            scenarios.add(n);
                        }
                    }
                }
                case "--duration" -> duration = duration(value(args, ++i, arg), arg);
                case "--warmup" -> warmup = duration(value(args, ++i, arg), arg);
                case "--rounds" -> rounds = positive(value(args, ++i, arg), arg, 1, 20);
                case "--callers" -> callers = positive(value(args, ++i, arg), arg, 1, 100_000);
                case "--pool-size" -> poolSize = positive(value(args, ++i, arg), arg, 1, 1_000);
                case "--output" -> output = Path.of(value(args, ++i, arg));
                default -> throw new IllegalArgumentException("unknown argument '" + arg + "'");
            }
        }
        if (duration != null && duration.isZero()) {
            throw new IllegalArgumentException("--duration must be more than 0");
        }
        boolean overridden = duration != null || warmup != null || rounds != null || callers != null || poolSize != null;
        Duration defaultDuration = quick ? Duration.ofSeconds(2) : Duration.ofSeconds(10);
        Duration defaultWarmup = quick ? Duration.ofSeconds(1) : Duration.ofSeconds(3);
        Duration window = duration == null ? defaultDuration : duration;
        Duration warm = warmup == null ? defaultWarmup : warmup;
        Duration sweepWindow = duration != null ? duration : quick ? Duration.ofMillis(400) : Duration.ofSeconds(4);
        Duration sweepWarm = warmup != null ? warmup : quick ? Duration.ofMillis(200) : Duration.ofSeconds(2);
        Duration firstWarm = warmup != null ? warmup : quick ? Duration.ofSeconds(2) : Duration.ofSeconds(6);
        Duration priming = warmup != null ? warmup : quick ? Duration.ofSeconds(4) : Duration.ofSeconds(6);
        return new BenchOptions(quick, scenarios.isEmpty() ? SCENARIOS : scenarios, warm, window,
                rounds == null ? (quick ? 1 : 2) : rounds, sweepWarm, sweepWindow, firstWarm, priming,
                callers == null ? OptionalInt.empty() : OptionalInt.of(callers),
                poolSize == null ? OptionalInt.empty() : OptionalInt.of(poolSize), output, overridden, warmup != null);
    }

    /**
     * The first-turn warm-up of a scenario whose code path takes the JIT longer to compile than the others': {@code
     * times} the usual one, unless --warmup set it.
     */
    public Duration firstWarmupTimes(int times) {
        return warmupGiven ? firstWarmup : firstWarmup.multipliedBy(times);
    }

    /** Whether the named scenario was selected. */
    public boolean runs(String scenario) {
        return scenarios.contains(scenario);
    }

    /** The callers of a scenario whose default is {@code byDefault}. */
    public int callersOr(int byDefault) {
        return callers.orElse(byDefault);
    }

    /** The pool size of a scenario whose default is {@code byDefault}. */
    public int poolSizeOr(int byDefault) {
        return poolSize.orElse(byDefault);
    }

    /** {@code quick} or {@code full}, with {@code +overrides} when the profile was changed on the command line. */
    public String mode() {
        return (quick ? "quick" : "full") + (overridden ? "+overrides" : "");
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int positive(String text, String option, int min, int max) {
        try {
            int n = Integer.parseInt(text.trim());
            if (n < min || n > max) {
                throw new IllegalArgumentException(option + " " + text + ": must be between " + min + " and " + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " " + text + ": not a whole number", e);
        }
    }

    /** {@code 10s}, {@code 500ms}, {@code 1m}, {@code 2.5s}; a bare number is seconds. */
    static Duration duration(String text, String option) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(option + " " + text + ": not a duration (such as 10s, 500ms, 1m)");
        }
        double amount = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        long millis = Math.round(switch (unit) {
            case "ms" -> amount;
            case "m" -> amount * 60_000;
            default -> amount * 1_000;
        });
        if (millis > Duration.ofMinutes(30).toMillis()) {
            throw new IllegalArgumentException(option + " " + text + ": at most 30 minutes");
        }
        return Duration.ofMillis(millis);
    }
}
