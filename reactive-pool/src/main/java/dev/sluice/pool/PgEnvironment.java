package dev.sluice.pool;

import dev.sluice.pool.config.ConfigException;
import dev.sluice.pool.config.ConfigProblem;
import dev.sluice.pool.config.Durations;
import dev.sluice.pool.config.Environment;
import dev.sluice.pool.config.Problems;
import dev.sluice.pool.config.Setting;

import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads a {@link RegistryConfig} from environment variables. Pure: it reads only the map it is given (pass
 * {@code System.getenv()} in an application), and every problem found is in one {@link ConfigException}, each
 * {@link ConfigProblem} naming the environment variable at fault, the value and what is allowed. The settings
 * and their ranges are {@link PgPoolConfig}'s and {@link RegistryConfig}'s declarations. Passwords never appear in a message or a {@code toString()}.
 *
 * <h2>Pools and their variables</h2>
 * <ul>
 *   <li>{@code DATABASE_URL} and the unprefixed variables {@code PG_<KEY>} configure the default pool,
 *       {@value #DEFAULT_POOL}, whose role is always {@link PoolRole#PRIMARY}. {@code PG_PRIMARY_<KEY>} is
 *       another spelling of {@code PG_<KEY>}.</li>
 *   <li>{@code PG_<POOL>_<KEY>} configures the named pool {@code <pool>} (lower case: {@code PG_REPLICA_1_HOST}
 *       is pool {@code replica_1}); {@code PG_<POOL>_URL} is its URL. A variable's key is the longest known
 *       key it ends with, so {@code PG_MAX_CONNECTIONS} is the default pool's and
 *       {@code PG_ANALYTICS_MAX_CONNECTIONS} pool {@code analytics}'s.</li>
 *   <li>A named pool's role is {@code PG_<POOL>_ROLE}, or else its name's first word: {@code REPLICA},
 *       {@code BACKGROUND}, {@code ANALYTICS} or {@code PRIMARY}, followed by nothing, {@code _} or a digit
 *       ({@code REPLICA_EU}, {@code REPLICA2}, but not {@code REPLICATOR}). Any other name needs a
 *       {@code _ROLE} variable.</li>
 *   <li>A named pool inherits the connection settings it does not set (host, port, database, user, TLS
 *       mode and CA certificate) from the default pool; the password is inherited only together with the
 *       user it belongs to (when the named pool's user is the default pool's). Sizes, timeouts, application
 *       name and server settings are never inherited: each pool's come from its own variables or the
 *       defaults.</li>
 *   <li>An unknown {@code PG_} variable (a typo such as {@code PG_MAX_CONECTIONS}) is not refused, since containers
 *       carry variables meant for other programs: it is a warning, logged and kept in {@link Environment#warnings()},
 *       naming the closest known variable. The variables PostgreSQL's own tools and Docker image set
 *       ({@value #FOREIGN_VARIABLES}) are skipped without a warning.</li>
 *   <li>A variable that is set must have a value: a blank value is an error naming it, not "unset".</li>
 *   <li>libpq's variables are read for the default pool as other spellings of the {@code PG_} ones
 *       ({@link #LIBPQ_ALIASES}: {@code PGHOST}, {@code PGPORT}, {@code PGDATABASE}, {@code PGUSER},
 *       {@code PGPASSWORD}, {@code PGSSLMODE}, {@code PGSSLROOTCERT}, {@code PGSSLCERT}, {@code PGSSLKEY},
 *       {@code PGAPPNAME}, {@code PGCONNECT_TIMEOUT}).</li>
 *   <li>Every problem found is reported together in one {@link ConfigException}.</li>
 * </ul>
 *
 * <h2>{@code DATABASE_URL} together with {@code PG_*}</h2>
 * Both may be given, and libpq's variables too; each setting may come from any of them. When two give the same
 * setting (the URL's host and {@code PG_HOST} or {@code PGHOST}, its {@code sslmode} and {@code PG_SSL_MODE}, ...)
 * with different values, loading fails naming both (never showing a password): there is no hidden precedence to
 * remember. Equal values are accepted.
 *
 * <h2>URLs</h2>
 * {@code postgresql://[user[:password]@][host][:port][/database][?parameters]}, or {@code postgres://},
 * {@code jdbc:postgresql://} or {@code r2dbc:postgresql://}. User, password and database are percent-decoded
 * ({@code p%40ss} is {@code p@ss}). One host only; IPv6 addresses in brackets. Query parameters: {@code sslmode},
 * {@code sslrootcert}, {@code sslcert}, {@code sslkey}, {@code user}, {@code password}, {@code application_name},
 * {@code connect_timeout} (a bare number is seconds, as libpq), {@code statement_timeout} (a bare number is
 * milliseconds, as PostgreSQL) and {@code options} with {@code -c name=value} entries (which become server
 * settings, except {@code statement_timeout}, {@code idle_in_transaction_session_timeout} and
 * {@code application_name}, which set those settings). Any other parameter is an error naming it and the
 * supported ones.
 *
 * <h2>Durations</h2>
 * The {@link dev.sluice.pool.config.Durations} grammar: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h},
 * {@code 1d} or ISO-8601 {@code PT30S}. A bare number is refused (its unit would be a guess), except {@code 0}
 * and where a convention outside Sluice fixes the unit: {@code PGCONNECT_TIMEOUT} and the URL's
 * {@code connect_timeout} (seconds), the URL's {@code statement_timeout} and {@code options -c} timeouts
 * (milliseconds). {@code PG_STATEMENT_TIMEOUT}, {@code PG_IDLE_IN_TRANSACTION_TIMEOUT} and
 * {@code PG_LEAK_DETECTION_THRESHOLD} also accept {@code off}.
 *
 * <h2>Registry</h2>
 * {@code SLUICE_APP_INSTANCES} (1 to 10,000), {@code SLUICE_SAFE_CONNECTION_SHARE} (above 0 and at most 1,
 * as {@code 0.8} or {@code 80%}) and {@code SLUICE_CAPACITY_CHECK} ({@code true} or {@code false}). Other
 * {@code SLUICE_} variables belong to other parts of Sluice and are not read here.
 *
 * <p>The module README has the table of every variable with its unit, default and range.
 */
public final class PgEnvironment {

    /** The default pool's URL variable. */
    public static final String DATABASE_URL = "DATABASE_URL";
    /** Declared number of application instances (see {@link RegistryConfig#appInstances()}). */
    public static final String APP_INSTANCES = "SLUICE_APP_INSTANCES";
    /** Share of the server's connections all instances may take (see {@link RegistryConfig#safeConnectionShare()}). */
    public static final String SAFE_CONNECTION_SHARE = "SLUICE_SAFE_CONNECTION_SHARE";
    /** Turns the start-up capacity check on or off (see {@link RegistryConfig#capacityCheck()}). */
    public static final String CAPACITY_CHECK = "SLUICE_CAPACITY_CHECK";
    /** Name of the pool configured by {@code DATABASE_URL} and the unprefixed {@code PG_} variables. */
    public static final String DEFAULT_POOL = "primary";
    /** {@code PG_} variables of PostgreSQL's tools and Docker image, which are not Sluice's and are skipped. */
    public static final String FOREIGN_VARIABLES = "PG_COLOR, PG_COLORS, PG_MAJOR, PG_VERSION, PG_SHA256";

    private static final Set<String> FOREIGN = Set.of(FOREIGN_VARIABLES.split(", "));
    private static final String URL_SUFFIX = "URL";
    private static final String SERVER_SETTINGS_SUFFIX = "SERVER_SETTINGS";
    private static final Pattern POOL_PREFIX = Pattern.compile("[A-Z][A-Z0-9_]*");
    private static final Pattern ROLE_FROM_NAME = Pattern.compile("(PRIMARY|REPLICA|BACKGROUND|ANALYTICS)(?:[_0-9].*)?");

    private static final Key<String> HOST = new Key<>(PgPoolConfig.HOST, PgPoolConfig.Builder::host);
    private static final Key<Integer> PORT = new Key<>(PgPoolConfig.PORT, PgPoolConfig.Builder::port);
    private static final Key<String> DATABASE = new Key<>(PgPoolConfig.DATABASE, PgPoolConfig.Builder::database);
    private static final Key<String> USER = new Key<>(PgPoolConfig.USER, PgPoolConfig.Builder::user);
    private static final Key<String> PASSWORD = new Key<>(PgPoolConfig.PASSWORD, PgPoolConfig.Builder::password);
    private static final Key<SslMode> SSL_MODE = new Key<>(PgPoolConfig.SSL_MODE, PgPoolConfig.Builder::sslMode);
    private static final Key<Path> SSL_ROOT_CERT = new Key<>(PgPoolConfig.SSL_ROOT_CERT, PgPoolConfig.Builder::sslRootCert);
    private static final Key<Path> SSL_CERT = new Key<>(PgPoolConfig.SSL_CERT, PgPoolConfig.Builder::sslCert);
    private static final Key<Path> SSL_KEY = new Key<>(PgPoolConfig.SSL_KEY, PgPoolConfig.Builder::sslKey);
    private static final Key<Integer> MIN_CONNECTIONS = new Key<>(PgPoolConfig.MIN_CONNECTIONS, PgPoolConfig.Builder::minConnections);
    private static final Key<Integer> MAX_CONNECTIONS = new Key<>(PgPoolConfig.MAX_CONNECTIONS, PgPoolConfig.Builder::maxConnections);
    private static final Key<Integer> MAX_PENDING_ACQUIRES = new Key<>(PgPoolConfig.MAX_PENDING_ACQUIRES,
            PgPoolConfig.Builder::maxPendingAcquires);
    private static final Key<Duration> ACQUIRE_TIMEOUT = new Key<>(PgPoolConfig.ACQUIRE_TIMEOUT, PgPoolConfig.Builder::acquireTimeout);
    private static final Key<Duration> CONNECT_TIMEOUT = new Key<>(PgPoolConfig.CONNECT_TIMEOUT, PgPoolConfig.Builder::connectTimeout);
    private static final Key<Duration> IDLE_TIMEOUT = new Key<>(PgPoolConfig.IDLE_TIMEOUT, PgPoolConfig.Builder::idleTimeout);
    private static final Key<Duration> MAX_LIFETIME = new Key<>(PgPoolConfig.MAX_LIFETIME, PgPoolConfig.Builder::maxLifetime);
    private static final Key<Double> LIFETIME_JITTER = new Key<>(PgPoolConfig.LIFETIME_JITTER, PgPoolConfig.Builder::lifetimeJitter);
    private static final Key<Integer> RECYCLE_AFTER_USES = new Key<>(PgPoolConfig.RECYCLE_AFTER_USES, PgPoolConfig.Builder::recycleAfterUses);
    private static final Key<ValidationMode> VALIDATION = new Key<>(PgPoolConfig.VALIDATION, PgPoolConfig.Builder::validation);
    private static final Key<String> VALIDATION_QUERY = new Key<>(PgPoolConfig.VALIDATION_QUERY, PgPoolConfig.Builder::validationQuery);
    private static final Key<Duration> VALIDATION_TIMEOUT = new Key<>(PgPoolConfig.VALIDATION_TIMEOUT,
            PgPoolConfig.Builder::validationTimeout);
    private static final Key<Duration> STATEMENT_TIMEOUT = new Key<>(PgPoolConfig.STATEMENT_TIMEOUT, PgPoolConfig.Builder::statementTimeout);
    private static final Key<Duration> IDLE_IN_TRANSACTION_TIMEOUT = new Key<>(PgPoolConfig.IDLE_IN_TRANSACTION_TIMEOUT,
            PgPoolConfig.Builder::idleInTransactionTimeout);
    private static final Key<String> APP_NAME = new Key<>(PgPoolConfig.APPLICATION_NAME, PgPoolConfig.Builder::applicationName);
    private static final Key<Integer> STATEMENT_CACHE_SIZE = new Key<>(PgPoolConfig.STATEMENT_CACHE_SIZE,
            PgPoolConfig.Builder::statementCacheSize);
    private static final Key<Duration> SLOW_QUERY_THRESHOLD = new Key<>(PgPoolConfig.SLOW_QUERY_THRESHOLD,
            PgPoolConfig.Builder::slowQueryThreshold);
    private static final Key<Duration> LEAK_DETECTION_THRESHOLD = new Key<>(PgPoolConfig.LEAK_DETECTION_THRESHOLD,
            PgPoolConfig.Builder::leakDetectionThreshold);
    private static final Key<Duration> SHUTDOWN_GRACE_PERIOD = new Key<>(PgPoolConfig.SHUTDOWN_GRACE_PERIOD,
            PgPoolConfig.Builder::shutdownGracePeriod);
    private static final Key<PoolRole> ROLE = new Key<>(PgPoolConfig.ROLE, PgPoolConfig.Builder::role);

    private static final List<Key<?>> KEYS = List.of(HOST, PORT, DATABASE, USER, PASSWORD, SSL_MODE, SSL_ROOT_CERT,
            SSL_CERT, SSL_KEY, MIN_CONNECTIONS, MAX_CONNECTIONS, MAX_PENDING_ACQUIRES, ACQUIRE_TIMEOUT, CONNECT_TIMEOUT, IDLE_TIMEOUT,
            MAX_LIFETIME, LIFETIME_JITTER, RECYCLE_AFTER_USES, VALIDATION, VALIDATION_QUERY, VALIDATION_TIMEOUT,
            STATEMENT_TIMEOUT, IDLE_IN_TRANSACTION_TIMEOUT, APP_NAME, STATEMENT_CACHE_SIZE, SLOW_QUERY_THRESHOLD,
            LEAK_DETECTION_THRESHOLD, SHUTDOWN_GRACE_PERIOD, ROLE);
    /** Inherited by named pools from the default pool, in this order (the user before the password). */
    private static final List<Key<?>> CONNECTION_KEYS = KEYS.stream().filter(key -> key.setting.isInherited()).toList();
    private static final List<String> SUFFIXES;
    private static final Map<String, Key<?>> URL_PARAMETERS = new TreeMap<>(Map.of(
            "sslmode", SSL_MODE,
            "sslrootcert", SSL_ROOT_CERT,
            "sslcert", SSL_CERT,
            "sslkey", SSL_KEY,
            "application_name", APP_NAME,
            "connect_timeout", CONNECT_TIMEOUT,
            "statement_timeout", STATEMENT_TIMEOUT,
            "user", USER,
            "password", PASSWORD));
    private static final String URL_PARAMETER_LIST = "application_name, connect_timeout, options, password, sslcert, sslkey, "
            + "sslmode, sslrootcert, statement_timeout, user";
    /**
     * The unit of a bare number where a convention outside Sluice fixes it: libpq's {@code connect_timeout}
     * (seconds), PostgreSQL's {@code statement_timeout} and {@code idle_in_transaction_session_timeout}
     * (milliseconds). Sluice's own variables refuse a bare number.
     */
    private static final Map<String, ChronoUnit> CONVENTIONAL_UNITS = Map.of(
            "connect_timeout", ChronoUnit.SECONDS,
            "statement_timeout", ChronoUnit.MILLIS,
            "idle_in_transaction_session_timeout", ChronoUnit.MILLIS,
            "PGCONNECT_TIMEOUT", ChronoUnit.SECONDS);
    /** libpq's variables, read for the default pool as other spellings of the {@code PG_} variables. */
    public static final Map<String, String> LIBPQ_ALIASES = aliases();
    /** Settings whose builder rule depends on another one: a refusal names where that one comes from too. */
    private static final Map<Key<?>, Key<?>> RELATED = Map.of(
            MIN_CONNECTIONS, MAX_CONNECTIONS,
            VALIDATION_QUERY, VALIDATION,
            SSL_ROOT_CERT, SSL_MODE);
    /** Server settings that have their own typed setting: written as server settings, they set that one. */
    private static final Map<String, Key<?>> TYPED_SERVER_SETTINGS = Map.of(
            "statement_timeout", STATEMENT_TIMEOUT,
            "idle_in_transaction_session_timeout", IDLE_IN_TRANSACTION_TIMEOUT,
            "application_name", APP_NAME);

    static {
        List<String> suffixes = new ArrayList<>();
        KEYS.forEach(key -> suffixes.add(key.suffix));
        suffixes.add(URL_SUFFIX);
        suffixes.add(SERVER_SETTINGS_SUFFIX);
        suffixes.sort(Comparator.comparingInt(String::length).reversed());
        SUFFIXES = List.copyOf(suffixes);
    }

    private PgEnvironment() {
    }

    private static Map<String, String> aliases() {
        Map<String, String> aliases = new LinkedHashMap<>();
        aliases.put("PGHOST", HOST.suffix);
        aliases.put("PGPORT", PORT.suffix);
        aliases.put("PGDATABASE", DATABASE.suffix);
        aliases.put("PGUSER", USER.suffix);
        aliases.put("PGPASSWORD", PASSWORD.suffix);
        aliases.put("PGSSLMODE", SSL_MODE.suffix);
        aliases.put("PGSSLROOTCERT", SSL_ROOT_CERT.suffix);
        aliases.put("PGSSLCERT", SSL_CERT.suffix);
        aliases.put("PGSSLKEY", SSL_KEY.suffix);
        aliases.put("PGAPPNAME", APP_NAME.suffix);
        aliases.put("PGCONNECT_TIMEOUT", CONNECT_TIMEOUT.suffix);
        return java.util.Collections.unmodifiableMap(aliases);
    }

    /**
     * Reads every pool and the registry settings from {@code env}, on {@link PgPoolConfig}'s defaults. Warnings
     * (unknown {@code PG_} variables) are logged.
     *
     * @param env the environment, such as {@code System.getenv()}
     * @return the validated configuration: the default pool first (when configured), then the named pools in
     *         alphabetical order of their names
     * @throws ConfigException listing every problem, each naming the environment variable, its value and the fix
     */
    public static RegistryConfig load(Map<String, String> env) {
        return load(Environment.of(env), PgPoolConfig::builder);
    }

    /**
     * Like {@link #load(Map)}, reading {@code env}, whose {@link Environment#warnings()} then hold the warnings.
     *
     * @throws ConfigException listing every problem, each naming the environment variable, its value and the fix
     */
    public static RegistryConfig load(Environment env) {
        return load(env, PgPoolConfig::builder);
    }

    /**
     * Like {@link #load(Map)}, but every pool starts from {@code template}'s values instead of
     * {@link PgPoolConfig}'s defaults; the environment overrides them.
     *
     * @throws ConfigException listing every problem, each naming the environment variable, its value and the fix
     */
    public static RegistryConfig load(Map<String, String> env, EnvironmentTemplate template) {
        Objects.requireNonNull(template, "template");
        return load(Environment.of(env), template::builder);
    }

    /**
     * The pool called {@code poolName} as {@link #load(Map)} reads it (the whole environment is checked).
     * Use {@link PgPoolConfig#toBuilder()} to add what an environment cannot hold, such as after-connect hooks.
     *
     * @throws ConfigException for problems in the environment, or when it configures no such pool (the message
     *                         lists those it does)
     */
    public static PgPoolConfig loadPool(Map<String, String> env, String poolName) {
        return pick(load(env), poolName);
    }

    /** {@link #loadPool(Map, String)} on {@code template}'s values. */
    public static PgPoolConfig loadPool(Map<String, String> env, String poolName, EnvironmentTemplate template) {
        return pick(load(env, template), poolName);
    }

    /** Every variable name this loader knows for the default pool and the registry (for the README check). */
    public static List<String> knownVariables() {
        List<String> known = new ArrayList<>();
        known.add(DATABASE_URL);
        KEYS.forEach(key -> known.add("PG_" + key.suffix));
        known.add("PG_" + SERVER_SETTINGS_SUFFIX);
        known.addAll(LIBPQ_ALIASES.keySet());
        known.addAll(List.of(APP_INSTANCES, SAFE_CONNECTION_SHARE, CAPACITY_CHECK));
        return known;
    }

    private static PgPoolConfig pick(RegistryConfig registry, String poolName) {
        return registry.pools().stream()
                .filter(pool -> pool.name().equals(poolName))
                .findFirst()
                .orElseThrow(() -> new ConfigException("pool", poolName, "the environment configures no such pool; it configures "
                        + registry.pools().stream().map(PgPoolConfig::name).collect(Collectors.joining(", "))));
    }

    private static RegistryConfig load(Environment env, Function<String, PgPoolConfig.Builder> base) {
        Objects.requireNonNull(env, "env");
        Map<String, String> variables = env.variables();
        Problems problems = new Problems("");
        Map<String, PoolVariables> pools = new TreeMap<>();
        RegistryConfig.Builder registry = RegistryConfig.builder();

        String databaseUrl = variables.get(DATABASE_URL);
        if (databaseUrl != null) {
            PoolVariables pool = pools.computeIfAbsent("", PoolVariables::new);
            attempt(problems, pool, () -> pool.applyUrl(DATABASE_URL, requireValue(DATABASE_URL, "url", databaseUrl)));
        }
        LIBPQ_ALIASES.forEach((alias, suffix) -> {
            String value = variables.get(alias);
            if (value != null) {
                Key<?> key = KEYS.stream().filter(k -> k.suffix.equals(suffix)).findFirst().orElseThrow();
                PoolVariables pool = pools.computeIfAbsent("", PoolVariables::new);
                attempt(problems, pool, () -> pool.applyParsed(key, alias, alias, requireValue(alias, key.setting.name(), value),
                        CONVENTIONAL_UNITS.get(alias)));
            }
        });
        env.read(problems, "registry", RegistryConfig.APP_INSTANCES, APP_INSTANCES)
                .ifPresent(count -> registry.appInstances(count, APP_INSTANCES));
        env.read(problems, "registry", RegistryConfig.SAFE_CONNECTION_SHARE, SAFE_CONNECTION_SHARE).ifPresent(registry::safeConnectionShare);
        env.read(problems, "registry", RegistryConfig.CAPACITY_CHECK, CAPACITY_CHECK).ifPresent(registry::capacityCheck);
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, String> variable : variables.entrySet()) {
            String name = variable.getKey();
            if (name.startsWith("PG_") && !FOREIGN.contains(name)) {
                attempt(problems, () -> {
                    if (!readPoolVariable(pools, name, requireValue(name, name, variable.getValue()))) {
                        unknown.add(name);
                    }
                });
            }
        }
        warnUnknown(env, unknown, pools.keySet());
        if (pools.isEmpty() && problems.isEmpty()) {
            throw new ConfigException(List.of(new ConfigProblem("", "pools", DATABASE_URL, null, "no PostgreSQL pool is configured "
                    + "in the environment: set DATABASE_URL (postgresql://user:password@host:5432/database), or PG_HOST, PG_USER, "
                    + "PG_PASSWORD and friends")));
        }

        PoolVariables primary = pools.get("");
        List<PoolVariables> ordered = new ArrayList<>(pools.values());
        ordered.sort(Comparator.comparing((PoolVariables pool) -> pool != primary).thenComparing(pool -> pool.name));
        for (PoolVariables pool : ordered) {
            if (pool != primary) {
                pool.inheritFrom(primary);
            }
        }
        attempt(problems, () -> checkSinglePrimary(ordered));
        List<PgPoolConfig> built = new ArrayList<>();
        for (PoolVariables pool : ordered) {
            if (!pool.failed) {
                attempt(problems, () -> built.add(pool.build(base)));
            }
        }
        problems.throwIfAny();
        return registry.pools(built).build();
    }

    /** Runs a step of {@code pool}; when it fails, the pool is not built (its other problems would follow from this one). */
    private static void attempt(Problems problems, PoolVariables pool, Runnable step) {
        try {
            step.run();
        } catch (ConfigException e) {
            pool.failed = true;
            problems.addAll(e);
        }
    }

    private static void attempt(Problems problems, Runnable step) {
        try {
            step.run();
        } catch (ConfigException e) {
            problems.addAll(e);
        }
    }

    private static void warnUnknown(Environment env, List<String> unknown, java.util.Set<String> poolPrefixes) {
        if (unknown.isEmpty()) {
            return;
        }
        List<String> known = new ArrayList<>(knownVariables());
        for (String prefix : poolPrefixes) {
            if (!prefix.isEmpty()) {
                SUFFIXES.forEach(suffix -> known.add("PG_" + prefix + "_" + suffix));
            }
        }
        java.util.Set<String> unknownSet = java.util.Set.copyOf(unknown);
        env.warnUnknown("PG_", known, name -> !unknownSet.contains(name));
    }

    private static String requireValue(String variable, String setting, String value) {
        if (Environment.isBlank(value)) {
            throw new ConfigException(List.of(Environment.blank("", setting, variable)));
        }
        return value;
    }

    private static ConfigException refused(String variable, String setting, String value, String fix) {
        return new ConfigException(List.of(new ConfigProblem("", setting, variable, value, fix)));
    }

    /** @return false when {@code variable} is no pool variable (it is then only warned about) */
    private static boolean readPoolVariable(Map<String, PoolVariables> pools, String variable, String value) {
        String rest = variable.substring("PG_".length());
        String suffix = SUFFIXES.stream()
                .filter(s -> rest.equals(s) || rest.endsWith("_" + s))
                .findFirst()
                .orElse(null);
        if (suffix == null) {
            return false;
        }
        boolean named = !rest.equals(suffix);
        String prefix = named ? rest.substring(0, rest.length() - suffix.length() - 1) : "";
        if (named && (!POOL_PREFIX.matcher(prefix).matches()
                || !PgPoolConfig.NAME.matcher(prefix.toLowerCase(Locale.ROOT)).matches())) {
            throw refused(variable, "name", prefix.toLowerCase(Locale.ROOT), "names pool '" + prefix.toLowerCase(Locale.ROOT)
                    + "', which is not a valid pool name: a pool name starts with a letter and has up to 63 letters, digits "
                    + "and '_' (as in PG_REPLICA_1_HOST)");
        }
        if (prefix.equals("PRIMARY")) {
            prefix = "";
        }
        PoolVariables pool = pools.computeIfAbsent(prefix, PoolVariables::new);
        try {
            applyPoolVariable(pool, prefix, suffix, variable, value);
        } catch (ConfigException e) {
            pool.failed = true;
            throw e;
        }
        return true;
    }

    private static void applyPoolVariable(PoolVariables pool, String prefix, String suffix, String variable, String value) {
        if (suffix.equals(URL_SUFFIX)) {
            if (prefix.isEmpty()) {
                throw refused(variable, "url", null, "is not read: the default pool's URL is " + DATABASE_URL
                        + "; PG_<POOL>_URL is for named pools");
            }
            pool.applyUrl(variable, value);
        } else if (suffix.equals(SERVER_SETTINGS_SUFFIX)) {
            pool.applyServerSettings(variable, value);
        } else {
            Key<?> key = KEYS.stream().filter(k -> k.suffix.equals(suffix)).findFirst().orElseThrow();
            if (key == ROLE && prefix.isEmpty() && ROLE.parse(variable, variable, value, null) != PoolRole.PRIMARY) {
                throw refused(variable, "role", value, "the default pool '" + DEFAULT_POOL
                        + "' (DATABASE_URL and the unprefixed PG_ variables) is always PRIMARY; configure other roles as "
                        + "named pools, such as PG_REPLICA_1_HOST or PG_ANALYTICS_MAX_CONNECTIONS");
            }
            pool.applyParsed(key, variable, variable, value, null);
        }
    }

    private static void checkSinglePrimary(List<PoolVariables> pools) {
        PoolVariables first = null;
        for (PoolVariables pool : pools) {
            if (pool.role().value() != PoolRole.PRIMARY) {
                continue;
            }
            if (first == null) {
                first = pool;
                continue;
            }
            Sourced<PoolRole> role = pool.role();
            String how = role.variable() == null
                    ? "pool '" + pool.name + "' takes role PRIMARY from its name"
                    : role.label() + " makes pool '" + pool.name + "' PRIMARY";
            String roleVariable = pool.variable(ROLE.suffix);
            throw refused(roleVariable, "role", role.variable() == null ? null : "primary", how + ", but pool '" + first.name
                    + "' is already the PRIMARY (a registry has at most one): set " + roleVariable + " to REPLICA, BACKGROUND or ANALYTICS");
        }
    }

    /** Every value of one pool, each with the variable it came from. */
    private static final class PoolVariables {
        private final String prefix;
        private final String name;
        private final Map<Key<?>, Sourced<?>> values = new LinkedHashMap<>();
        private final Map<String, Sourced<String>> serverSettings = new LinkedHashMap<>();
        private boolean failed;

        PoolVariables(String prefix) {
            this.prefix = prefix;
            this.name = prefix.isEmpty() ? DEFAULT_POOL : prefix.toLowerCase(Locale.ROOT);
        }

        String variable(String suffix) {
            return prefix.isEmpty() ? "PG_" + suffix : "PG_" + prefix + "_" + suffix;
        }

        private ConfigException refusal(String variable, String setting, String value, String fix) {
            return new ConfigException(List.of(new ConfigProblem("pool '" + name + "'", setting, variable, value, fix)));
        }

        void applyUrl(String variable, String raw) {
            DatabaseUrl url = DatabaseUrl.parse(variable, raw);
            url.host().ifPresent(host -> set(HOST, host, variable, variable + " (host)", host));
            url.port().ifPresent(port -> set(PORT, port, variable, variable + " (port)", port.toString()));
            url.database().ifPresent(database -> set(DATABASE, database, variable, variable + " (database)", database));
            url.user().ifPresent(user -> set(USER, user, variable, variable + " (user)", user));
            url.password().ifPresent(password -> set(PASSWORD, password, variable, variable + " (password)", null));
            for (Map.Entry<String, String> parameter : url.parameters().entrySet()) {
                String name = parameter.getKey();
                String value = parameter.getValue();
                Key<?> key = URL_PARAMETERS.get(name);
                if (key != null) {
                    applyParsed(key, variable, variable + " (parameter " + name + ")", value, CONVENTIONAL_UNITS.get(name));
                } else if (name.equals("options")) {
                    applyOptions(variable, value);
                } else {
                    throw refusal(variable, "url", url.redacted(), "has query parameter '" + name
                            + "', which Sluice does not support (nothing is silently ignored): the supported parameters are "
                            + URL_PARAMETER_LIST + "; for other settings use the PG_ variables");
                }
            }
        }

        /** libpq's {@code options}: only {@code -c name=value}, {@code -cname=value} and {@code --name=value} entries. */
        private void applyOptions(String variable, String options) {
            String label = variable + " (parameter options)";
            String[] tokens = options.trim().split("\\s+");
            for (int i = 0; i < tokens.length; i++) {
                String token = tokens[i];
                String setting;
                if (token.equals("-c")) {
                    if (i + 1 == tokens.length) {
                        throw refusal(label, "serverSettings", options, "the last -c has no name=value after it");
                    }
                    setting = tokens[++i];
                } else if (token.startsWith("-c") && token.length() > 2) {
                    setting = token.substring(2);
                } else if (token.startsWith("--") && token.length() > 2) {
                    setting = token.substring(2);
                    int equals = setting.indexOf('=');
                    if (equals > 0) {
                        setting = setting.substring(0, equals).replace('-', '_') + setting.substring(equals);
                    }
                } else {
                    throw refusal(label, "serverSettings", options, "'" + token
                            + "' is not supported; options may only hold server settings as -c name=value");
                }
                int equals = setting.indexOf('=');
                if (equals <= 0 || equals == setting.length() - 1) {
                    throw refusal(label, "serverSettings", options, "'" + setting + "' must be name=value, as in -c work_mem=64MB");
                }
                String name = setting.substring(0, equals);
                applyServerSetting(name, setting.substring(equals + 1), variable, variable + " (options -c " + name + ")");
            }
        }

        void applyServerSettings(String variable, String raw) {
            for (String entry : raw.split(",", -1)) {
                int equals = entry.indexOf('=');
                String name = equals < 0 ? "" : entry.substring(0, equals).trim();
                String value = equals < 0 ? "" : entry.substring(equals + 1).trim();
                if (name.isEmpty() || value.isEmpty()) {
                    throw refusal(variable, "serverSettings", raw, "'" + entry.trim() + "' must be name=value; write settings as "
                            + "name=value separated by commas, as in work_mem=256MB,jit=off");
                }
                applyServerSetting(name, value, variable, variable + " (" + name + ")");
            }
        }

        private void applyServerSetting(String name, String value, String variable, String label) {
            Key<?> typed = TYPED_SERVER_SETTINGS.get(name.toLowerCase(Locale.ROOT));
            if (typed != null) {
                applyParsed(typed, variable, label, value, CONVENTIONAL_UNITS.get(name.toLowerCase(Locale.ROOT)));
                return;
            }
            Sourced<String> existing = serverSettings.get(name);
            if (existing == null) {
                serverSettings.put(name, new Sourced<>(value, variable, label, value));
            } else if (!existing.value().equals(value)) {
                throw conflict("server setting " + name, existing, new Sourced<>(value, variable, label, value), false);
            }
        }

        <T> void applyParsed(Key<T> key, String variable, String label, String raw, ChronoUnit bareUnit) {
            set(key, key.parse(variable, label, raw, bareUnit), variable, label, raw);
        }

        private <T> void set(Key<T> key, T value, String variable, String label, String raw) {
            Sourced<T> incoming = new Sourced<>(value, variable, label, key.setting.isSecret() ? null : raw);
            Sourced<?> existing = values.get(key);
            if (existing == null) {
                values.put(key, incoming);
            } else if (!Objects.equals(existing.value(), value)) {
                throw conflict(key.setting.name(), existing, incoming, key.setting.isSecret());
            }
        }

        private ConfigException conflict(String setting, Sourced<?> first, Sourced<?> second, boolean secret) {
            String both = secret
                    ? second.label() + " and " + first.label() + " both set the " + setting + " of pool '" + name
                      + "', to different values (not shown)"
                    : second.label() + " = '" + second.raw() + "' and " + first.label() + " = '" + first.raw()
                      + "' both set the " + setting + " of pool '" + name + "'";
            return refusal(second.variable(), setting, secret ? ConfigProblem.MASKED : second.raw(),
                    both + ": keep one of them (neither silently wins)");
        }

        void inheritFrom(PoolVariables primary) {
            if (primary == null) {
                return;
            }
            for (Key<?> key : CONNECTION_KEYS) {
                Sourced<?> inherited = primary.values.get(key);
                if (inherited != null) {
                    values.putIfAbsent(key, inherited.inheritedBy(name));
                }
            }
            Sourced<?> password = primary.values.get(PASSWORD);
            Sourced<?> ownUser = values.get(USER);
            Sourced<?> primaryUser = primary.values.get(USER);
            if (password != null && ownUser != null && primaryUser != null
                    && Objects.equals(ownUser.value(), primaryUser.value())) {
                values.putIfAbsent(PASSWORD, password.inheritedBy(name));
            }
        }

        @SuppressWarnings("unchecked")
        Sourced<PoolRole> role() {
            if (prefix.isEmpty()) {
                return new Sourced<>(PoolRole.PRIMARY, null, "the default pool", null);
            }
            Sourced<?> own = values.get(ROLE);
            if (own != null) {
                return (Sourced<PoolRole>) own;
            }
            Matcher fromName = ROLE_FROM_NAME.matcher(prefix);
            if (fromName.matches()) {
                return new Sourced<>(PoolRole.valueOf(fromName.group(1)), null, "the pool's name", null);
            }
            String roleVariable = variable(ROLE.suffix);
            throw refusal(roleVariable, "role", null, "pool '" + name + "' (from the " + variable("*") + " variables) needs a "
                    + "role, and its name does not start with one: set " + roleVariable + " to one of PRIMARY, REPLICA, "
                    + "BACKGROUND, ANALYTICS, or name the pool REPLICA_..., BACKGROUND_..., ANALYTICS_...");
        }

        PgPoolConfig build(Function<String, PgPoolConfig.Builder> base) {
            Sourced<?> min = values.get(MIN_CONNECTIONS);
            Sourced<?> max = values.get(MAX_CONNECTIONS);
            if (min != null && max != null && (Integer) min.value() > (Integer) max.value()) {
                throw refusal(min.variable(), MIN_CONNECTIONS.setting.name(), min.raw(), "must be between 0 and "
                        + max.label() + " (" + max.raw() + "); lower " + min.label() + " or raise " + max.label());
            }
            PgPoolConfig.Builder builder = base.apply(name);
            values.forEach((key, sourced) -> applyTo(builder, key, sourced));
            builder.role(role().value());
            serverSettings.forEach((setting, sourced) -> builder.serverSetting(setting, sourced.value()));
            try {
                return builder.build();
            } catch (ConfigException e) {
                throw new ConfigException(e.problems().stream().map(this::explain).toList());
            }
        }

        @SuppressWarnings("unchecked")
        private static <T> void applyTo(PgPoolConfig.Builder builder, Key<T> key, Sourced<?> sourced) {
            key.apply.accept(builder, (T) sourced.value());
        }

        /** Attributes a problem of {@link PgPoolConfig.Builder#build()} to the variable that set the value. */
        private ConfigProblem explain(ConfigProblem problem) {
            String setting = problem.setting();
            if (setting.startsWith("serverSetting")) {
                Sourced<String> source = setting.startsWith("serverSetting ")
                        ? serverSettings.get(setting.substring("serverSetting ".length()))
                        : serverSettings.get(problem.value());
                String variable = source == null ? variable(SERVER_SETTINGS_SUFFIX) : source.variable();
                String label = source == null ? variable : source.label();
                return problem.fromVariable(variable).withFix(problem.fix() + " (set by " + label + ")");
            }
            Key<?> key = KEYS.stream().filter(k -> k.setting.name().equals(setting)).findFirst().orElse(null);
            if (key == null) {
                return problem;
            }
            StringBuilder fix = new StringBuilder(problem.fix());
            Sourced<?> source = values.get(key);
            String variable;
            if (source != null) {
                variable = source.variable();
                fix.append(" (set by ").append(source.label()).append(")");
            } else {
                variable = variable(key.suffix);
                fix.append(" (not set in the environment: set ").append(variable);
                if (key.setting.isInherited() && !prefix.isEmpty()) {
                    fix.append(", or PG_").append(key.suffix).append(", which every pool inherits");
                }
                fix.append(")");
            }
            Key<?> related = RELATED.get(key);
            if (related != null) {
                Sourced<?> relatedSource = values.get(related);
                fix.append("; ").append(related.setting.name()).append(relatedSource == null
                        ? " is set with " + variable(related.suffix)
                        : " comes from " + relatedSource.label());
            }
            ConfigProblem attributed = problem.fromVariable(variable).withFix(fix.toString());
            return key.setting.isSecret() && attributed.value() != null
                    ? new ConfigProblem(attributed.scope(), attributed.setting(), variable, ConfigProblem.MASKED, attributed.fix())
                    : attributed;
        }
    }

    /** One environment key: the declared setting it reads, and the builder method it feeds. */
    private static final class Key<T> {
        final String suffix;
        final Setting<T> setting;
        final BiConsumer<PgPoolConfig.Builder, T> apply;

        Key(Setting<T> setting, BiConsumer<PgPoolConfig.Builder, T> apply) {
            this.suffix = Objects.requireNonNull(setting.envSuffix(), setting.name());
            this.setting = setting;
            this.apply = apply;
        }

        /**
         * Reads {@code raw}; {@code bareUnit} is the unit of a bare number where a convention fixes it, else null.
         *
         * @throws ConfigException naming {@code variable} (shown as {@code label}), the value and the fix
         */
        T parse(String variable, String label, String raw, ChronoUnit bareUnit) {
            T value;
            try {
                if (bareUnit != null && raw.trim().matches("[0-9]{1,15}")) {
                    @SuppressWarnings("unchecked")
                    T duration = (T) Durations.parse(raw, bareUnit);
                    value = duration;
                } else {
                    value = setting.parse(raw);
                }
            } catch (IllegalArgumentException e) {
                throw invalid(variable, label, setting, raw, e.getMessage());
            }
            String fix = setting.problem(value);
            if (fix != null && value != null) {
                throw invalid(variable, label, setting, raw, fix);
            }
            return value;
        }

        @Override
        public String toString() {
            return suffix;
        }
    }

    /**
     * A value and where it came from. {@code raw} is the text as written, {@code null} for secrets; the value
     * itself is never shown (it may be a password).
     */
    private record Sourced<T>(T value, String variable, String label, String raw) {
        Sourced<T> inheritedBy(String pool) {
            return new Sourced<>(value, variable, label + " (inherited by pool '" + pool + "')", raw);
        }

        @Override
        public String toString() {
            return label;
        }
    }

    private static ConfigException invalid(String variable, String label, Setting<?> setting, String raw, String fix) {
        return new ConfigException(List.of(new ConfigProblem("", setting.name(), label, setting.showRaw(raw), fix)));
    }
}
