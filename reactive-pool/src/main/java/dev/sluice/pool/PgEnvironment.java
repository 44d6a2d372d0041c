package dev.sluice.pool;

import java.nio.file.InvalidPathException;
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
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads a {@link RegistryConfig} from environment variables. Pure: it reads only the map it is given (pass
 * {@code System.getenv()} in an application), and every problem is a {@link ConfigException} whose
 * {@link ConfigException#setting() setting} is the environment variable at fault and whose message names
 * it, shows the value and says what is allowed. Passwords never appear in a message or a {@code toString()}.
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
 *   <li>Every {@code PG_} variable must be one of these: an unknown one (a typo such as
 *       {@code PG_MAX_CONECTIONS}) is an error, not silently ignored. The variables PostgreSQL's own tools
 *       and Docker image set ({@value #FOREIGN_VARIABLES}) are skipped.</li>
 *   <li>A variable that is set must have a value: an empty value is an error, not "unset".</li>
 * </ul>
 *
 * <h2>{@code DATABASE_URL} together with {@code PG_*}</h2>
 * Both may be given; each setting may come from either. When both give the same setting (the URL's host and
 * {@code PG_HOST}, its {@code sslmode} and {@code PG_SSL_MODE}, ...) with different values, loading fails
 * naming both (never showing a password): there is no hidden precedence to remember. Equal values are accepted.
 *
 * <h2>URLs</h2>
 * {@code postgresql://[user[:password]@][host][:port][/database][?parameters]}, or {@code postgres://}. User,
 * password and database are percent-decoded ({@code p%40ss} is {@code p@ss}). One host only; IPv6 addresses
 * in brackets. Query parameters: {@code sslmode}, {@code sslrootcert}, {@code application_name},
 * {@code connect_timeout} (seconds, as libpq), {@code statement_timeout} (milliseconds, as PostgreSQL) and
 * {@code options} with {@code -c name=value} entries (which become server settings, except
 * {@code statement_timeout}, {@code idle_in_transaction_session_timeout} and {@code application_name}, which
 * set those settings). Any other parameter is an error naming it and the supported ones.
 *
 * <h2>Durations</h2>
 * A whole number followed by a unit: {@code ms}, {@code s}, {@code m} or {@code min}, {@code h} (such as
 * {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}), above zero and at most one day. A bare number is
 * accepted only where PostgreSQL defines the unit: seconds for {@code PG_CONNECT_TIMEOUT} (libpq's
 * {@code connect_timeout}), milliseconds for {@code PG_STATEMENT_TIMEOUT} and
 * {@code PG_IDLE_IN_TRANSACTION_TIMEOUT} (the server's unit); elsewhere a bare number is refused, because its
 * unit would be a guess. {@code PG_STATEMENT_TIMEOUT}, {@code PG_IDLE_IN_TRANSACTION_TIMEOUT} and
 * {@code PG_LEAK_DETECTION_THRESHOLD} also accept {@code off}: Sluice sets no timeout (the server's applies),
 * or detects no leaks. {@code PG_SHUTDOWN_GRACE_PERIOD} accepts {@code 0}.
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
    private static final Pattern WHOLE_NUMBER = Pattern.compile("-?[0-9]{1,12}");
    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,6}(\\.[0-9]{1,9})?|\\.[0-9]{1,9}");
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,15})(ms|s|min|m|h)?", Pattern.CASE_INSENSITIVE);
    private static final Duration ONE_DAY = Duration.ofDays(1);
    private static final String DURATION_UNITS = "500ms, 30s, 2m (or 2min), 1h";

    private static final Key<String> HOST = new Key<>("HOST", "host", true, false,
            PgEnvironment::text, PgPoolConfig.Builder::host);
    private static final Key<Integer> PORT = new Key<>("PORT", "port", true, false,
            whole(1, 65_535), PgPoolConfig.Builder::port);
    private static final Key<String> DATABASE = new Key<>("DATABASE", "database", true, false,
            PgEnvironment::text, PgPoolConfig.Builder::database);
    private static final Key<String> USER = new Key<>("USER", "user", true, false,
            PgEnvironment::text, PgPoolConfig.Builder::user);
    private static final Key<String> PASSWORD = new Key<>("PASSWORD", "password", true, true,
            (variable, label, raw) -> raw, PgPoolConfig.Builder::password);
    private static final Key<SslMode> SSL_MODE = new Key<>("SSL_MODE", "sslMode", true, false,
            (variable, label, raw) -> reword(variable, () -> SslMode.parse(label, raw)), PgPoolConfig.Builder::sslMode);
    private static final Key<Path> SSL_ROOT_CERT = new Key<>("SSL_ROOT_CERT", "sslRootCert", true, false,
            PgEnvironment::path, PgPoolConfig.Builder::sslRootCert);
    private static final Key<Integer> MIN_CONNECTIONS = new Key<>("MIN_CONNECTIONS", "minConnections", false, false,
            whole(0, 10_000), PgPoolConfig.Builder::minConnections);
    private static final Key<Integer> MAX_CONNECTIONS = new Key<>("MAX_CONNECTIONS", "maxConnections", false, false,
            whole(1, 10_000), PgPoolConfig.Builder::maxConnections);
    private static final Key<Integer> MAX_PENDING_ACQUIRES = new Key<>("MAX_PENDING_ACQUIRES", "maxPendingAcquires",
            false, false, whole(1, Integer.MAX_VALUE), PgPoolConfig.Builder::maxPendingAcquires);
    private static final Key<Duration> ACQUIRE_TIMEOUT = new Key<>("ACQUIRE_TIMEOUT", "acquireTimeout", false, false,
            duration(null, false, null), PgPoolConfig.Builder::acquireTimeout);
    private static final Key<Duration> CONNECT_TIMEOUT = new Key<>("CONNECT_TIMEOUT", "connectTimeout", false, false,
            duration(ChronoUnit.SECONDS, false, null), PgPoolConfig.Builder::connectTimeout);
    private static final Key<Duration> IDLE_TIMEOUT = new Key<>("IDLE_TIMEOUT", "idleTimeout", false, false,
            duration(null, false, null), PgPoolConfig.Builder::idleTimeout);
    private static final Key<Duration> MAX_LIFETIME = new Key<>("MAX_LIFETIME", "maxLifetime", false, false,
            duration(null, false, null), PgPoolConfig.Builder::maxLifetime);
    private static final Key<Double> LIFETIME_JITTER = new Key<>("LIFETIME_JITTER", "lifetimeJitter", false, false,
            PgEnvironment::jitter, PgPoolConfig.Builder::lifetimeJitter);
    private static final Key<Integer> RECYCLE_AFTER_USES = new Key<>("RECYCLE_AFTER_USES", "recycleAfterUses", false, false,
            whole(0, Integer.MAX_VALUE), PgPoolConfig.Builder::recycleAfterUses);
    private static final Key<ValidationMode> VALIDATION = new Key<>("VALIDATION", "validation", false, false,
            PgEnvironment::validation, PgPoolConfig.Builder::validation);
    private static final Key<String> VALIDATION_QUERY = new Key<>("VALIDATION_QUERY", "validationQuery", false, false,
            PgEnvironment::text, PgPoolConfig.Builder::validationQuery);
    private static final Key<Duration> VALIDATION_TIMEOUT = new Key<>("VALIDATION_TIMEOUT", "validationTimeout", false, false,
            duration(null, false, null), PgPoolConfig.Builder::validationTimeout);
    private static final Key<Duration> STATEMENT_TIMEOUT = new Key<>("STATEMENT_TIMEOUT", "statementTimeout", false, false,
            duration(ChronoUnit.MILLIS, false, "Sluice sets no statement_timeout and the server's applies"),
            PgPoolConfig.Builder::statementTimeout);
    private static final Key<Duration> IDLE_IN_TRANSACTION_TIMEOUT = new Key<>("IDLE_IN_TRANSACTION_TIMEOUT",
            "idleInTransactionTimeout", false, false,
            duration(ChronoUnit.MILLIS, false, "Sluice sets no idle_in_transaction_session_timeout and the server's applies"),
            PgPoolConfig.Builder::idleInTransactionTimeout);
    private static final Key<String> APP_NAME = new Key<>("APP_NAME", "applicationName", false, false,
            PgEnvironment::text, PgPoolConfig.Builder::applicationName);
    private static final Key<Integer> STATEMENT_CACHE_SIZE = new Key<>("STATEMENT_CACHE_SIZE", "statementCacheSize",
            false, false, whole(0, 100_000), PgPoolConfig.Builder::statementCacheSize);
    private static final Key<Duration> SLOW_QUERY_THRESHOLD = new Key<>("SLOW_QUERY_THRESHOLD", "slowQueryThreshold",
            false, false, duration(null, false, null), PgPoolConfig.Builder::slowQueryThreshold);
    private static final Key<Duration> LEAK_DETECTION_THRESHOLD = new Key<>("LEAK_DETECTION_THRESHOLD",
            "leakDetectionThreshold", false, false, duration(null, false, "leak detection is off"),
            PgPoolConfig.Builder::leakDetectionThreshold);
    private static final Key<Duration> SHUTDOWN_GRACE_PERIOD = new Key<>("SHUTDOWN_GRACE_PERIOD", "shutdownGracePeriod",
            false, false, duration(null, true, null), PgPoolConfig.Builder::shutdownGracePeriod);
    private static final Key<PoolRole> ROLE = new Key<>("ROLE", "role", false, false,
            (variable, label, raw) -> reword(variable, () -> PoolRole.parse(label, raw)), PgPoolConfig.Builder::role);

    private static final List<Key<?>> KEYS = List.of(HOST, PORT, DATABASE, USER, PASSWORD, SSL_MODE, SSL_ROOT_CERT,
            MIN_CONNECTIONS, MAX_CONNECTIONS, MAX_PENDING_ACQUIRES, ACQUIRE_TIMEOUT, CONNECT_TIMEOUT, IDLE_TIMEOUT,
            MAX_LIFETIME, LIFETIME_JITTER, RECYCLE_AFTER_USES, VALIDATION, VALIDATION_QUERY, VALIDATION_TIMEOUT,
            STATEMENT_TIMEOUT, IDLE_IN_TRANSACTION_TIMEOUT, APP_NAME, STATEMENT_CACHE_SIZE, SLOW_QUERY_THRESHOLD,
            LEAK_DETECTION_THRESHOLD, SHUTDOWN_GRACE_PERIOD, ROLE);
    /** Inherited by named pools from the default pool, in this order (the user before the password). */
    private static final List<Key<?>> CONNECTION_KEYS = List.of(HOST, PORT, DATABASE, USER, SSL_MODE, SSL_ROOT_CERT);
    private static final List<String> SUFFIXES;
    private static final String SUFFIX_LIST;
    private static final Map<String, Key<?>> URL_PARAMETERS = new TreeMap<>(Map.of(
            "sslmode", SSL_MODE,
            "sslrootcert", SSL_ROOT_CERT,
            "application_name", APP_NAME,
            "connect_timeout", CONNECT_TIMEOUT,
            "statement_timeout", STATEMENT_TIMEOUT));
    private static final String URL_PARAMETER_LIST = "application_name, connect_timeout, options, sslmode, sslrootcert, statement_timeout";
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
        SUFFIX_LIST = SUFFIXES.stream().sorted().collect(Collectors.joining(", "));
    }

    private PgEnvironment() {
    }

    /**
     * Reads every pool and the registry settings from {@code env}, on {@link PgPoolConfig}'s defaults.
     *
     * @param env the environment, such as {@code System.getenv()}
     * @return the validated configuration: the default pool first (when configured), then the named pools in
     *         alphabetical order of their names
     * @throws ConfigException for the first problem, naming the environment variable, its value and what is allowed
     */
    public static RegistryConfig load(Map<String, String> env) {
        return load(env, PgPoolConfig::builder);
    }

    /**
     * Like {@link #load(Map)}, but every pool starts from {@code template}'s values instead of
     * {@link PgPoolConfig}'s defaults; the environment overrides them.
     *
     * @throws ConfigException for the first problem, naming the environment variable, its value and what is allowed
     */
    public static RegistryConfig load(Map<String, String> env, EnvironmentTemplate template) {
        Objects.requireNonNull(template, "template");
        return load(env, template::builder);
    }

    /**
     * The pool called {@code poolName} as {@link #load(Map)} reads it (the whole environment is checked).
     * Use {@link PgPoolConfig#toBuilder()} to add what an environment cannot hold, such as after-connect hooks.
     *
     * @throws ConfigException for a problem in the environment, or when it configures no such pool (the message
     *                         lists those it does)
     */
    public static PgPoolConfig loadPool(Map<String, String> env, String poolName) {
        return pick(load(env), poolName);
    }

    /** {@link #loadPool(Map, String)} on {@code template}'s values. */
    public static PgPoolConfig loadPool(Map<String, String> env, String poolName, EnvironmentTemplate template) {
        return pick(load(env, template), poolName);
    }

    private static PgPoolConfig pick(RegistryConfig registry, String poolName) {
        return registry.pools().stream()
                .filter(pool -> pool.name().equals(poolName))
                .findFirst()
                .orElseThrow(() -> new ConfigException("pool", poolName, "the environment configures no such pool; it configures "
                        + registry.pools().stream().map(PgPoolConfig::name).collect(Collectors.joining(", "))));
    }

    private static RegistryConfig load(Map<String, String> env, Function<String, PgPoolConfig.Builder> base) {
        Objects.requireNonNull(env, "env");
        Map<String, String> variables = new TreeMap<>();
        env.forEach((name, value) -> {
            if (name != null && value != null) {
                variables.put(name, value);
            }
        });
        Map<String, PoolVariables> pools = new TreeMap<>();
        RegistryConfig.Builder registry = RegistryConfig.builder();

        String databaseUrl = variables.get(DATABASE_URL);
        if (databaseUrl != null) {
            pools.computeIfAbsent("", PoolVariables::new).applyUrl(DATABASE_URL, databaseUrl);
        }
        for (Map.Entry<String, String> variable : variables.entrySet()) {
            String name = variable.getKey();
            String value = variable.getValue();
            switch (name) {
                case APP_INSTANCES -> registry.appInstances(whole(1, 10_000).parse(name, name, requireValue(name, value)));
                case SAFE_CONNECTION_SHARE -> registry.safeConnectionShare(share(name, requireValue(name, value)));
                case CAPACITY_CHECK -> registry.capacityCheck(bool(name, requireValue(name, value)));
                default -> {
                    if (name.startsWith("PG_") && !FOREIGN.contains(name)) {
                        readPoolVariable(pools, name, requireValue(name, value));
                    }
                }
            }
        }
        if (pools.isEmpty()) {
            throw new ConfigException(DATABASE_URL, "no PostgreSQL pool is configured in the environment: set DATABASE_URL "
                    + "(postgresql://user:password@host:5432/database), or PG_HOST, PG_USER, PG_PASSWORD and friends");
        }

        PoolVariables primary = pools.get("");
        List<PoolVariables> ordered = new ArrayList<>(pools.values());
        ordered.sort(Comparator.comparing((PoolVariables pool) -> pool != primary).thenComparing(pool -> pool.name));
        for (PoolVariables pool : ordered) {
            if (pool != primary) {
                pool.inheritFrom(primary);
            }
        }
        checkSinglePrimary(ordered);
        List<PgPoolConfig> built = new ArrayList<>();
        for (PoolVariables pool : ordered) {
            built.add(pool.build(base));
        }
        try {
            return registry.pools(built).build();
        } catch (ConfigException e) {
            throw switch (e.setting()) {
                case "appInstances" -> new ConfigException(APP_INSTANCES, e.getMessage() + " (set by " + APP_INSTANCES + ")");
                case "safeConnectionShare" -> new ConfigException(SAFE_CONNECTION_SHARE,
                        e.getMessage() + " (set by " + SAFE_CONNECTION_SHARE + ")");
                default -> e;
            };
        }
    }

    private static String requireValue(String variable, String value) {
        if (value.isEmpty()) {
            throw new ConfigException(variable, variable + " is set but empty: give it a value or unset it "
                    + "(an empty value is not taken to mean 'unset')");
        }
        return value;
    }

    private static void readPoolVariable(Map<String, PoolVariables> pools, String variable, String value) {
        String rest = variable.substring("PG_".length());
        String suffix = SUFFIXES.stream()
                .filter(s -> rest.equals(s) || rest.endsWith("_" + s))
                .findFirst()
                .orElseThrow(() -> new ConfigException(variable, variable + " is not a Sluice variable: pool variables are "
                        + "PG_<KEY> (the default pool) or PG_<POOL>_<KEY>, with KEY one of " + SUFFIX_LIST
                        + " (skipped as other tools' variables: " + FOREIGN_VARIABLES + "); rename or unset it"));
        boolean named = !rest.equals(suffix);
        String prefix = named ? rest.substring(0, rest.length() - suffix.length() - 1) : "";
        if (named && (!POOL_PREFIX.matcher(prefix).matches()
                || !PgPoolConfig.NAME.matcher(prefix.toLowerCase(Locale.ROOT)).matches())) {
            throw new ConfigException(variable, variable + " names pool '" + prefix.toLowerCase(Locale.ROOT) + "', which is not "
                    + "a valid pool name: a pool name starts with a letter and has up to 63 letters, digits and '_' "
                    + "(as in PG_REPLICA_1_HOST)");
        }
        if (prefix.equals("PRIMARY")) {
            prefix = "";
        }
        PoolVariables pool = pools.computeIfAbsent(prefix, PoolVariables::new);
        if (suffix.equals(URL_SUFFIX)) {
            if (prefix.isEmpty()) {
                throw new ConfigException(variable, variable + " is not read: the default pool's URL is " + DATABASE_URL
                        + "; PG_<POOL>_URL is for named pools");
            }
            pool.applyUrl(variable, value);
        } else if (suffix.equals(SERVER_SETTINGS_SUFFIX)) {
            pool.applyServerSettings(variable, value);
        } else {
            Key<?> key = KEYS.stream().filter(k -> k.suffix.equals(suffix)).findFirst().orElseThrow();
            if (key == ROLE && prefix.isEmpty() && ROLE.parser.parse(variable, variable, value) != PoolRole.PRIMARY) {
                throw new ConfigException(variable, variable + " = '" + value + "' is invalid: the default pool '" + DEFAULT_POOL
                        + "' (DATABASE_URL and the unprefixed PG_ variables) is always PRIMARY; configure other roles as "
                        + "named pools, such as PG_REPLICA_1_HOST or PG_ANALYTICS_MAX_CONNECTIONS");
            }
            pool.applyParsed(key, variable, variable, value);
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
            throw new ConfigException(roleVariable, how + ", but pool '" + first.name + "' is already the PRIMARY (a registry "
                    + "has at most one): set " + roleVariable + " to REPLICA, BACKGROUND or ANALYTICS");
        }
    }

    /** Every value of one pool, each with the variable it came from. */
    private static final class PoolVariables {
        private final String prefix;
        private final String name;
        private final Map<Key<?>, Sourced<?>> values = new LinkedHashMap<>();
        private final Map<String, Sourced<String>> serverSettings = new LinkedHashMap<>();

        PoolVariables(String prefix) {
            this.prefix = prefix;
            this.name = prefix.isEmpty() ? DEFAULT_POOL : prefix.toLowerCase(Locale.ROOT);
        }

        String variable(String suffix) {
            return prefix.isEmpty() ? "PG_" + suffix : "PG_" + prefix + "_" + suffix;
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
                    applyParsed(key, variable, variable + " (parameter " + name + ")", value);
                } else if (name.equals("options")) {
                    applyOptions(variable, value);
                } else {
                    throw new ConfigException(variable, variable + " = '" + url.redacted() + "' has query parameter '" + name
                            + "', which Sluice does not support (nothing is silently ignored): the supported parameters are "
                            + URL_PARAMETER_LIST + "; for other settings use the PG_ variables");
                }
            }
        }

        /** libpq's {@code options}: only {@code -c name=value}, {@code -cname=value} and {@code --name=value} entries. */
        private void applyOptions(String variable, String options) {
            String[] tokens = options.trim().split("\\s+");
            for (int i = 0; i < tokens.length; i++) {
                String token = tokens[i];
                String setting;
                if (token.equals("-c")) {
                    if (i + 1 == tokens.length) {
                        throw new ConfigException(variable, variable + " (parameter options) = '" + options + "' is invalid: "
                                + "the last -c has no name=value after it");
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
                    throw new ConfigException(variable, variable + " (parameter options) = '" + options + "' is invalid: '" + token
                            + "' is not supported; options may only hold server settings as -c name=value");
                }
                int equals = setting.indexOf('=');
                if (equals <= 0 || equals == setting.length() - 1) {
                    throw new ConfigException(variable, variable + " (parameter options) = '" + options + "' is invalid: '" + setting
                            + "' must be name=value, as in -c work_mem=64MB");
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
                    throw new ConfigException(variable, variable + " = '" + raw + "' is invalid: '" + entry.trim() + "' must be "
                            + "name=value; write settings as name=value separated by commas, as in work_mem=256MB,jit=off");
                }
                applyServerSetting(name, value, variable, variable + " (" + name + ")");
            }
        }

        private void applyServerSetting(String name, String value, String variable, String label) {
            Key<?> typed = TYPED_SERVER_SETTINGS.get(name.toLowerCase(Locale.ROOT));
            if (typed != null) {
                applyParsed(typed, variable, label, value);
                return;
            }
            Sourced<String> existing = serverSettings.get(name);
            if (existing == null) {
                serverSettings.put(name, new Sourced<>(value, variable, label, value));
            } else if (!existing.value().equals(value)) {
                throw conflict("server setting " + name, existing, new Sourced<>(value, variable, label, value), false);
            }
        }

        <T> void applyParsed(Key<T> key, String variable, String label, String raw) {
            set(key, key.parser.parse(variable, label, raw), variable, label, raw);
        }

        private <T> void set(Key<T> key, T value, String variable, String label, String raw) {
            Sourced<T> incoming = new Sourced<>(value, variable, label, key.secret ? null : raw);
            Sourced<?> existing = values.get(key);
            if (existing == null) {
                values.put(key, incoming);
            } else if (!Objects.equals(existing.value(), value)) {
                throw conflict(key.setting, existing, incoming, key.secret);
            }
        }

        private ConfigException conflict(String setting, Sourced<?> first, Sourced<?> second, boolean secret) {
            String both = secret
                    ? second.label() + " and " + first.label() + " both set the " + setting + " of pool '" + name
                      + "', to different values (not shown)"
                    : second.label() + " = '" + second.raw() + "' and " + first.label() + " = '" + first.raw()
                      + "' both set the " + setting + " of pool '" + name + "'";
            return new ConfigException(second.variable(), both + ": keep one of them (neither silently wins)");
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
            throw new ConfigException(roleVariable, roleVariable + " = (missing) is invalid: pool '" + name + "' (from the "
                    + variable("*") + " variables) needs a role, and its name does not start with one: set " + roleVariable
                    + " to one of PRIMARY, REPLICA, BACKGROUND, ANALYTICS, or name the pool REPLICA_..., BACKGROUND_..., "
                    + "ANALYTICS_...");
        }

        PgPoolConfig build(Function<String, PgPoolConfig.Builder> base) {
            Sourced<?> min = values.get(MIN_CONNECTIONS);
            Sourced<?> max = values.get(MAX_CONNECTIONS);
            if (min != null && max != null && (Integer) min.value() > (Integer) max.value()) {
                throw new ConfigException(min.variable(), min.label() + " = '" + min.raw() + "' is invalid: must be between 0 and "
                        + max.label() + " (" + max.raw() + "); lower " + min.label() + " or raise " + max.label());
            }
            PgPoolConfig.Builder builder = base.apply(name);
            values.forEach((key, sourced) -> applyTo(builder, key, sourced));
            builder.role(role().value());
            serverSettings.forEach((setting, sourced) -> builder.serverSetting(setting, sourced.value()));
            try {
                return builder.build();
            } catch (ConfigException e) {
                throw explain(e);
            }
        }

        @SuppressWarnings("unchecked")
        private static <T> void applyTo(PgPoolConfig.Builder builder, Key<T> key, Sourced<?> sourced) {
            key.apply.accept(builder, (T) sourced.value());
        }

        /** Re-words a refusal of {@link PgPoolConfig.Builder#build()} so it names the variable at fault. */
        private ConfigException explain(ConfigException refusal) {
            String poolPrefix = "pool '" + name + "': ";
            String setting = refusal.setting().startsWith(poolPrefix)
                    ? refusal.setting().substring(poolPrefix.length())
                    : refusal.setting();
            String message = refusal.getMessage();
            if (setting.startsWith("serverSetting")) {
                // the builder names the setting after a space when its value is refused, and shows the name as the
                // refused value when the name itself is
                Sourced<String> source = setting.startsWith("serverSetting ")
                        ? serverSettings.get(setting.substring("serverSetting ".length()))
                        : serverSettings.entrySet().stream()
                                .filter(entry -> message.contains("= '" + entry.getKey() + "'"))
                                .map(Map.Entry::getValue)
                                .findFirst()
                                .orElse(null);
                String variable = source == null ? variable(SERVER_SETTINGS_SUFFIX) : source.variable();
                String label = source == null ? variable : source.label();
                return new ConfigException(variable, message + " (set by " + label + ")");
            }
            Key<?> key = KEYS.stream().filter(k -> k.setting.equals(setting)).findFirst().orElse(null);
            if (key == null) {
                return refusal;
            }
            StringBuilder explained = new StringBuilder(message);
            Sourced<?> source = values.get(key);
            String variable;
            if (source != null) {
                variable = source.variable();
                explained.append(" (set by ").append(source.label()).append(")");
            } else {
                variable = variable(key.suffix);
                explained.append(" (not set in the environment: set ").append(variable);
                if (key.inherited && !prefix.isEmpty()) {
                    explained.append(", or PG_").append(key.suffix).append(", which every pool inherits");
                }
                explained.append(")");
            }
            Key<?> related = RELATED.get(key);
            if (related != null) {
                Sourced<?> relatedSource = values.get(related);
                explained.append("; ").append(related.setting).append(relatedSource == null
                        ? " is set with " + variable(related.suffix)
                        : " comes from " + relatedSource.label());
            }
            return new ConfigException(variable, explained.toString());
        }
    }

    /** One environment key: its variable suffix, the builder setting it feeds, and how its text is read. */
    private static final class Key<T> {
        final String suffix;
        final String setting;
        final boolean inherited;
        final boolean secret;
        final Parser<T> parser;
        final BiConsumer<PgPoolConfig.Builder, T> apply;

        Key(String suffix, String setting, boolean inherited, boolean secret, Parser<T> parser,
            BiConsumer<PgPoolConfig.Builder, T> apply) {
            this.suffix = suffix;
            this.setting = setting;
            this.inherited = inherited;
            this.secret = secret;
            this.parser = parser;
            this.apply = apply;
        }

        @Override
        public String toString() {
            return suffix;
        }
    }

    /** Reads one value; {@code label} is how the value is named in errors (a variable, or a part of a URL). */
    @FunctionalInterface
    private interface Parser<T> {
        T parse(String variable, String label, String raw);
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

    private static ConfigException invalid(String variable, String label, String raw, String rule) {
        return new ConfigException(variable, label + " = '" + raw + "' is invalid: " + rule);
    }

    private static <T> T reword(String variable, Supplier<T> parse) {
        try {
            return parse.get();
        } catch (ConfigException e) {
            throw new ConfigException(variable, e.getMessage());
        }
    }

    private static String text(String variable, String label, String raw) {
        return raw;
    }

    private static Path path(String variable, String label, String raw) {
        try {
            return Path.of(raw);
        } catch (InvalidPathException e) {
            throw invalid(variable, label, raw, "must be a file path (" + e.getReason() + ")");
        }
    }

    private static Parser<Integer> whole(int min, int max) {
        String range = "must be a whole number between " + String.format(Locale.ROOT, "%,d", min) + " and "
                + String.format(Locale.ROOT, "%,d", max);
        return (variable, label, raw) -> {
            String text = raw.trim();
            if (!WHOLE_NUMBER.matcher(text).matches()) {
                throw invalid(variable, label, raw, range);
            }
            long value = Long.parseLong(text);
            if (value < min || value > max) {
                throw invalid(variable, label, raw, range);
            }
            return (int) value;
        };
    }

    private static Double jitter(String variable, String label, String raw) {
        String text = raw.trim();
        double value = DECIMAL.matcher(text).matches() ? Double.parseDouble(text) : Double.NaN;
        if (!(value >= 0 && value <= 0.5)) {
            throw invalid(variable, label, raw, "must be a fraction between 0 and 0.5, such as 0.1 (each connection's "
                    + "lifetime is shortened by up to this share of the maximum)");
        }
        return value;
    }

    private static ValidationMode validation(String variable, String label, String raw) {
        try {
            return ValidationMode.valueOf(raw.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw invalid(variable, label, raw, "must be one of NONE, LOCAL, REMOTE, QUERY (QUERY needs "
                    + variable.replace("VALIDATION", "VALIDATION_QUERY") + ")");
        }
    }

    /**
     * A duration parser.
     *
     * @param bareUnit  the unit of a bare number, or {@code null} when a unit is required
     * @param zero      whether zero is allowed
     * @param offMeans  what {@code off} means (it parses to {@code null}), or {@code null} when {@code off} is refused
     */
    private static Parser<Duration> duration(ChronoUnit bareUnit, boolean zero, String offMeans) {
        StringBuilder rule = new StringBuilder("must be a duration ")
                .append(zero ? "from 0" : "above zero")
                .append(" and at most 1 day: ");
        if (bareUnit == ChronoUnit.SECONDS) {
            rule.append("a whole number of seconds (as libpq's connect_timeout), or a number with a unit: ");
        } else if (bareUnit == ChronoUnit.MILLIS) {
            rule.append("a whole number of milliseconds (PostgreSQL's unit), or a number with a unit: ");
        } else {
            rule.append("a whole number with a unit (a bare number is refused: its unit would be a guess): ");
        }
        rule.append(DURATION_UNITS);
        if (offMeans != null) {
            rule.append(", or off (").append(offMeans).append(")");
        }
        String ruleText = rule.toString();
        return (variable, label, raw) -> {
            String text = raw.trim();
            if (offMeans != null && text.equalsIgnoreCase("off")) {
                return null;
            }
            Matcher matcher = DURATION.matcher(text);
            if (!matcher.matches() || (matcher.group(2) == null && bareUnit == null)) {
                throw invalid(variable, label, raw, ruleText);
            }
            long amount = Long.parseLong(matcher.group(1));
            String unit = matcher.group(2) == null ? null : matcher.group(2).toLowerCase(Locale.ROOT);
            Duration value = unit == null ? Duration.of(amount, bareUnit) : switch (unit) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m", "min" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
            if ((value.isZero() && !zero) || value.compareTo(ONE_DAY) > 0) {
                throw invalid(variable, label, raw, ruleText);
            }
            return value;
        };
    }

    private static double share(String variable, String raw) {
        String text = raw.trim();
        boolean percent = text.endsWith("%");
        String number = percent ? text.substring(0, text.length() - 1).trim() : text;
        double value = DECIMAL.matcher(number).matches() ? Double.parseDouble(number) : Double.NaN;
        if (percent) {
            value /= 100;
        }
        if (!(value > 0 && value <= 1)) {
            throw invalid(variable, variable, raw, "must be above 0 and at most 1, as a fraction (0.8) or a percentage (80%)");
        }
        return value;
    }

    private static boolean bool(String variable, String raw) {
        String text = raw.trim().toLowerCase(Locale.ROOT);
        if (text.equals("true") || text.equals("false")) {
            return Boolean.parseBoolean(text);
        }
        throw invalid(variable, variable, raw, "must be true or false");
    }
}
