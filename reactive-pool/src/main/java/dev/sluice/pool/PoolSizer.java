package dev.sluice.pool;

import dev.sluice.pool.config.ConfigException;
import java.math.RoundingMode;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Recommends a pool's minimum and maximum from its load, showing the arithmetic. Immutable: each method
 * returns a new sizer.
 *
 * <pre>{@code
 * SizingRecommendation r = PoolSizer.forLoad(2_000, Duration.ofMillis(5))   // measured: ops/s and mean time
 *         .concurrentAgents(40)
 *         .serverShare(PoolSizer.ServerShare.of(200, 4))                      // usable connections, app instances
 *         .recommend();
 * PgPoolConfig config = r.applyTo(PgPoolConfig.builder("primary").user("app")).build();
 * }</pre>
 *
 * <h2>How</h2>
 * <ol>
 *   <li><b>Little's law.</b> The connections busy on average are the arrival rate times the time each
 *       operation holds a connection: {@code busy = ops/s × mean duration}. Dividing by the target utilisation
 *       (default {@value #DEFAULT_TARGET_UTILISATION}) leaves headroom, so callers rarely queue:
 *       {@code max = ⌈busy ÷ utilisation⌉}. 2,000 ops/s × 5 ms = 10 busy; ÷ 0.8 = 12.5 → 13.</li>
 *   <li><b>Bursts of agents</b> (when {@link #concurrentAgents(int)} is declared). Each of {@code A} agents
 *       runs one operation at a time and is on the database a fraction {@code p = busy ÷ A} of its time, so the
 *       number of agents on the database at one instant is binomial with mean {@code busy} and standard
 *       deviation {@code √(A × p × (1 − p))}. Sizing for two standard deviations above the mean covers about
 *       97.7% of instants: {@code burst = busy + 2 × √(A × p × (1 − p))}. The maximum is the larger of the
 *       Little's-law figure and the burst, and never more than {@code A}, since {@code A} agents can never hold
 *       more than {@code A} connections at once. Few agents that are always busy need exactly one connection
 *       each (the deviation goes to 0); many agents that are rarely busy approach the square-root staffing rule
 *       of queueing theory ({@code busy + 2√busy}). Count an agent that runs {@code k} queries in parallel as
 *       {@code k} agents. Declaring fewer agents than the load keeps busy is an error: that load cannot happen.</li>
 *   <li><b>Bounds.</b> At least 1; then kept within {@link #bounds(int, int)} (default 1 to 10,000).</li>
 *   <li><b>Server share</b> (when {@link #serverShare(ServerShare)} is given): never above this instance's
 *       share of the server, {@code ⌊usable × safe share ÷ app instances⌋ − other pools' maxima}. When that
 *       lowers the maximum, {@link SizingRecommendation#limitedByServer()} is true: the load needs more than
 *       the server can give, and callers will wait.</li>
 *   <li><b>Minimum</b>: {@code ⌈busy⌉}, at least 1 and at most the maximum. These are the connections the
 *       average load keeps in use anyway; keeping them open means steady traffic never waits for TCP, TLS
 *       and authentication, and closing them when idle would only churn.</li>
 * </ol>
 * Every step adds a line with its numbers to {@link SizingRecommendation#reasoning()}.
 */
public final class PoolSizer {

    /** Target utilisation used unless {@link #targetUtilisation(double)} says otherwise. */
    public static final double DEFAULT_TARGET_UTILISATION = 0.8;
    /** Standard deviations above the mean that the burst estimate covers. */
    public static final double BURST_DEVIATIONS = 2.0;

    private static final int MOST_CONNECTIONS = PgPoolConfig.MAX_CONNECTIONS.maximum();
    private static final double EPSILON = 1e-9;

    private final double operationsPerSecond;
    private final Duration meanOperationTime;
    private final double targetUtilisation;
    private final int concurrentAgents;
    private final int lowest;
    private final int highest;
    private final ServerShare serverShare;

    private PoolSizer(double operationsPerSecond, Duration meanOperationTime, double targetUtilisation,
                      int concurrentAgents, int lowest, int highest, ServerShare serverShare) {
        this.operationsPerSecond = operationsPerSecond;
        this.meanOperationTime = meanOperationTime;
        this.targetUtilisation = targetUtilisation;
        this.concurrentAgents = concurrentAgents;
        this.lowest = lowest;
        this.highest = highest;
        this.serverShare = serverShare;
    }

    /**
     * A sizer for a load, measured or declared.
     *
     * @param operationsPerSecond operations per second through this pool (per application instance), 0 or more
     * @param meanOperationTime   mean time one operation holds a connection (from acquire to release), above
     *                            zero and at most one day
     * @throws ConfigException naming the input, its value and the valid range
     */
    public static PoolSizer forLoad(double operationsPerSecond, Duration meanOperationTime) {
        if (!(operationsPerSecond >= 0) || Double.isInfinite(operationsPerSecond)) {
            throw new ConfigException("operationsPerSecond", operationsPerSecond, "must be a finite number of operations per second, 0 or more");
        }
        if (meanOperationTime == null || meanOperationTime.isNegative() || meanOperationTime.isZero()
                || meanOperationTime.compareTo(Duration.ofDays(1)) > 0) {
            throw new ConfigException("meanOperationTime", meanOperationTime, "must be above zero and at most 1 day");
        }
        return new PoolSizer(operationsPerSecond, meanOperationTime, DEFAULT_TARGET_UTILISATION, 0, 1, MOST_CONNECTIONS, null);
    }

    /**
     * The share of the maximum that the average load should keep busy, above 0 and at most 1;
     * {@value #DEFAULT_TARGET_UTILISATION} by default. Lower means more headroom and fewer waits.
     *
     * @throws ConfigException when out of range
     */
    public PoolSizer targetUtilisation(double targetUtilisation) {
        if (!(targetUtilisation > 0 && targetUtilisation <= 1)) {
            throw new ConfigException("targetUtilisation", targetUtilisation, "must be above 0 and at most 1, such as 0.8");
        }
        return new PoolSizer(operationsPerSecond, meanOperationTime, targetUtilisation, concurrentAgents, lowest, highest, serverShare);
    }

    /**
     * How many agents (callers that each run one operation at a time) produce the load at once; adds the
     * burst estimate and the cap described on the class.
     *
     * @throws ConfigException when below 1
     */
    public PoolSizer concurrentAgents(int concurrentAgents) {
        if (concurrentAgents < 1) {
            throw new ConfigException("concurrentAgents", concurrentAgents, "must be at least 1");
        }
        return new PoolSizer(operationsPerSecond, meanOperationTime, targetUtilisation, concurrentAgents, lowest, highest, serverShare);
    }

    /**
     * Keeps the recommended maximum between {@code lowest} and {@code highest} (1 to 10,000 by default).
     *
     * @throws ConfigException unless {@code 1 <= lowest <= highest <= 10000}
     */
    public PoolSizer bounds(int lowest, int highest) {
        if (lowest < 1 || lowest > MOST_CONNECTIONS) {
            throw new ConfigException("lowest", lowest, "must be between 1 and " + MOST_CONNECTIONS);
        }
        if (highest < lowest || highest > MOST_CONNECTIONS) {
            throw new ConfigException("highest", highest, "must be between lowest (" + lowest + ") and " + MOST_CONNECTIONS);
        }
        return new PoolSizer(operationsPerSecond, meanOperationTime, targetUtilisation, concurrentAgents, lowest, highest, serverShare);
    }

    /** Never recommend more than this instance's share of the server. */
    public PoolSizer serverShare(ServerShare serverShare) {
        Objects.requireNonNull(serverShare, "serverShare");
        return new PoolSizer(operationsPerSecond, meanOperationTime, targetUtilisation, concurrentAgents, lowest, highest, serverShare);
    }

    /**
     * Computes the recommendation.
     *
     * @throws ConfigException when the declared agents are too few to produce the declared load
     */
    public SizingRecommendation recommend() {
        Numbers number = new Numbers();
        DecimalFormat millis = format("#,##0.###");
        List<String> why = new ArrayList<>();
        double busy = operationsPerSecond * meanOperationTime.toNanos() / 1e9;
        String mean = millis.format(meanOperationTime.toNanos() / 1e6) + " ms";
        why.add("Little's law: " + number.format(operationsPerSecond) + " ops/s × " + mean + " = "
                + number.format(busy) + " connections busy on average");

        double headroom = busy / targetUtilisation;
        int max = ceil(headroom);
        why.add("÷ target utilisation " + number.format(targetUtilisation) + " = " + number.format(headroom) + " → " + max);

        if (concurrentAgents > 0) {
            if (busy > concurrentAgents + EPSILON) {
                throw new ConfigException("concurrentAgents", concurrentAgents, "too few: " + number.format(operationsPerSecond)
                        + " ops/s × " + mean + " keeps " + number.format(busy) + " connections busy, and an agent holds one at "
                        + "a time, so the load needs at least " + ceil(busy) + " agents; check the load or the agent count");
            }
            double share = busy / concurrentAgents;
            double burst = busy + BURST_DEVIATIONS * Math.sqrt(concurrentAgents * share * (1 - share));
            int burstMax = ceil(burst);
            why.add(concurrentAgents + " concurrent agents, each on the database " + format("#,##0.#").format(share * 100)
                    + "% of the time: bursts reach " + number.format(busy) + " + " + number.format(BURST_DEVIATIONS)
                    + " × √(" + concurrentAgents + " × " + number.format(share) + " × " + number.format(1 - share) + ") = "
                    + number.format(burst) + " → " + burstMax);
            if (burstMax > max) {
                max = burstMax;
                why.add("bursts need more than the utilisation headroom: " + max);
            } else {
                why.add("the utilisation headroom covers the bursts: " + max);
            }
            if (max > concurrentAgents) {
                max = concurrentAgents;
                why.add("capped at " + max + ": " + concurrentAgents + " agents never hold more than " + concurrentAgents
                        + " connections at once");
            }
        }
        if (max < 1) {
            max = 1;
            why.add("raised to 1: a pool needs at least one connection");
        }
        if (max < lowest) {
            max = lowest;
            why.add("raised to the lower bound " + lowest);
        } else if (max > highest) {
            max = highest;
            why.add("lowered to the upper bound " + highest);
        }

        boolean limitedByServer = false;
        if (serverShare != null) {
            int cap = serverShare.perInstance();
            String arithmetic = "server share: " + number.format(serverShare.usableConnections()) + " usable × "
                    + number.format(serverShare.safeShare()) + " ÷ " + serverShare.appInstances() + " instances = "
                    + serverShare.beforeOtherPools() + " per instance"
                    + (serverShare.otherPoolsPerInstance() > 0
                    ? " − " + serverShare.otherPoolsPerInstance() + " for other pools = " + cap : "");
            if (max > cap) {
                why.add(arithmetic + ": lowered from " + max + " to " + cap + "; the load needs more than the server allows "
                        + "this instance, so callers will wait: add a replica, raise max_connections, shorten the "
                        + "operations or run fewer instances");
                max = cap;
                limitedByServer = true;
            } else {
                why.add(arithmetic + ": " + max + " fits");
            }
        }

        int steady = ceil(busy);
        int min = Math.min(Math.max(steady, 1), max);
        if (steady < 1) {
            why.add("min 1: the load keeps less than one connection busy; one stays open so a request never waits "
                    + "for a new connection");
        } else if (steady > max) {
            why.add("min " + min + ": ⌈" + number.format(busy) + "⌉ = " + steady + " lowered to the maximum");
        } else {
            why.add("min " + min + " = ⌈" + number.format(busy) + "⌉: the connections the average load keeps busy, kept "
                    + "open so steady traffic never waits for a new one");
        }
        why.add("recommended: min " + min + ", max " + max);
        return new SizingRecommendation(min, max, busy, limitedByServer, why);
    }

    private static int ceil(double value) {
        return (int) Math.min(Math.ceil(value - EPSILON), Integer.MAX_VALUE);
    }

    private static DecimalFormat format(String pattern) {
        DecimalFormat format = new DecimalFormat(pattern, DecimalFormatSymbols.getInstance(Locale.ROOT));
        format.setRoundingMode(RoundingMode.HALF_UP);
        return format;
    }

    /** Numbers for the reasoning: two decimals, or four significant ones below 1 so small loads do not read as 0. */
    private static final class Numbers {
        private final DecimalFormat large = PoolSizer.format("#,##0.##");
        private final DecimalFormat small = PoolSizer.format("0.####");

        String format(double value) {
            return value != 0 && Math.abs(value) < 1 ? small.format(value) : large.format(value);
        }
    }

    /**
     * One application instance's share of a PostgreSQL server, for the sizer's cap.
     *
     * @param usableConnections      connections ordinary users may open: {@code max_connections -
     *                               superuser_reserved_connections - reserved_connections}, at least 1
     * @param safeShare              share of them all instances together may take, above 0 and at most 1
     *                               (as {@link RegistryConfig#safeConnectionShare()})
     * @param appInstances           instances of the application, 1 to 10,000
     * @param otherPoolsPerInstance  sum of the maxima of this instance's other pools on the same server, 0 or more
     */
    public record ServerShare(int usableConnections, double safeShare, int appInstances, int otherPoolsPerInstance) {

        /**
         * Checks the numbers.
         *
         * @throws ConfigException for a value out of range, or when the other pools leave this one no connection
         */
        public ServerShare {
            if (usableConnections < 1) {
                throw new ConfigException("usableConnections", usableConnections, "must be at least 1");
            }
            if (!(safeShare > 0 && safeShare <= 1)) {
                throw new ConfigException("safeShare", safeShare, "must be above 0 and at most 1, such as 0.8");
            }
            String instances = RegistryConfig.APP_INSTANCES.problem(appInstances);
            if (instances != null) {
                throw new ConfigException("appInstances", appInstances, instances);
            }
            if (otherPoolsPerInstance < 0) {
                throw new ConfigException("otherPoolsPerInstance", otherPoolsPerInstance, "must be 0 or more");
            }
            int before = (int) Math.floor(usableConnections * safeShare / appInstances + EPSILON);
            if (before - otherPoolsPerInstance < 1) {
                throw new ConfigException("otherPoolsPerInstance", otherPoolsPerInstance, "leaves this pool no connection: "
                        + usableConnections + " usable × " + safeShare + " ÷ " + appInstances + " instances = " + before
                        + " per instance, and the other pools take " + otherPoolsPerInstance
                        + "; shrink them, run fewer instances or raise max_connections");
            }
        }

        /** {@code usableConnections} with the default safe share 0.8, and no other pools on the server. */
        public static ServerShare of(int usableConnections, int appInstances) {
            return new ServerShare(usableConnections, 0.8, appInstances, 0);
        }

        /** The most connections this pool may have in one instance. */
        public int perInstance() {
            return beforeOtherPools() - otherPoolsPerInstance;
        }

        private int beforeOtherPools() {
            return (int) Math.floor(usableConnections * safeShare / appInstances + EPSILON);
        }
    }
}
