package dev.sluice.pool;

import dev.sluice.pool.config.ConfigException;
import io.r2dbc.spi.Connection;
import org.reactivestreams.Publisher;

import dev.sluice.pool.config.Problems;
import dev.sluice.pool.config.Setting;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Every setting of one named PostgreSQL pool: immutable, made by {@link #builder(String)}, validated in one
 * place ({@link Builder#build()}), which throws one {@link ConfigException} listing every problem, each naming
 * the setting, the value and the valid range. Each setting is declared once, as a {@link Setting} constant of
 * this class ({@link #SETTINGS}); the builder, {@link PgEnvironment} and the README's tables follow those
 * declarations. {@link #toString()} never shows the password.
 *
 * <h2>Defaults, and why</h2>
 * <ul>
 *   <li>{@code minConnections} 1, {@code maxConnections} 10: ten connections carry about 2,000 queries/s of
 *       5 ms each (Little's law); use {@link PoolSizer} to size from your load.</li>
 *   <li>{@code acquireTimeout} 5 s: a caller waits at most this long for a connection, then gets a
 *       {@link PoolExhaustedException} with the pool's numbers. Long enough to ride out a burst, short
 *       enough that a stuck pool shows up as errors instead of a pile of waiting requests.</li>
 *   <li>{@code maxPendingAcquires} unbounded: the acquire timeout bounds every wait; set a bound to shed
 *       load before it queues.</li>
 *   <li>{@code connectTimeout} 5 s; {@code idleTimeout} 10 min (idle connections above the minimum are
 *       closed); {@code maxLifetime} 30 min with up to 10% jitter (each connection gets its own, shorter
 *       lifetime, so they never all expire at once); {@code recycleAfterUses} 0 (off).</li>
 *   <li>{@code validation} {@link ValidationMode#LOCAL} (socket still open, no round trip) with a 2 s limit.</li>
 *   <li>{@code statementTimeout} none (the server's); {@code idleInTransactionTimeout} 60 s, so a
 *       forgotten transaction cannot hold locks for ever; {@code applicationName} {@code sluice-<pool>}.</li>
 *   <li>{@code statementCacheSize} 256 prepared statements per connection.</li>
 *   <li>{@code slowQueryThreshold} 1 s (helpers log slower statements); {@code leakDetectionThreshold}
 *       off (when on, the acquiring call site is captured on every acquire, which costs a stack trace).</li>
 *   <li>{@code shutdownGracePeriod} 10 s; {@code evictionInterval} 30 s; {@code sslMode} prefer (libpq's default).</li>
 *   <li>{@code retry} none: nothing is retried unless a policy says so; {@code circuitBreaker}
 *       {@link CircuitBreakerPolicy#DEFAULT}: a dead database turns into fast failures.</li>
 * </ul>
 */
public final class PgPoolConfig {

    /** Pool names: lower-case letters, digits, {@code _} and {@code -}, starting with a letter. */
    public static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,62}");
    private static final Pattern SETTING_NAME = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)?");
    private static final Pattern SETTING_VALUE = Pattern.compile("[A-Za-z0-9_.:/+-]{1,200}");
    private static final Pattern APPLICATION_NAME_PATTERN = Pattern.compile("[A-Za-z0-9 _.:/-]{1,63}");

    private static final Duration MS = Duration.ofMillis(1);
    private static final Duration DAY = Duration.ofDays(1);

    /** What the pool is for. */
    public static final Setting<PoolRole> ROLE = Setting.enumeration("role", PoolRole.class, PoolRole.PRIMARY).env("ROLE")
            .doc("a named pool's role", "`primary`, `replica`, `background`, `analytics`", "from the name");
    /** Server host. */
    public static final Setting<String> HOST = Setting.text("host", "localhost",
            v -> !v.isBlank() && v.chars().noneMatch(Character::isWhitespace), "must be a host name or address without spaces", "no spaces")
            .env("HOST").inherited().doc("server host name or address", null, null);
    /** Server port. */
    public static final Setting<Integer> PORT = Setting.integer("port", 5432, 1, 65_535).env("PORT").inherited()
            .doc("server port", "number", null);
    /** Database name. */
    public static final Setting<String> DATABASE = Setting.text("database", "postgres",
            v -> !v.isBlank() && v.length() <= 63, "must be a database name of 1 to 63 characters", "1 to 63 characters")
            .env("DATABASE").inherited().doc("database", null, null);
    /** User name (required). */
    public static final Setting<String> USER = Setting.text("user", null,
            v -> !v.isBlank() && v.length() <= 63, "must be a user name of 1 to 63 characters", "1 to 63 characters")
            .env("USER").inherited().doc("user name", null, "required");
    /** Password (secret). */
    public static final Setting<String> PASSWORD = Setting.secretText("password").optional()
            .env("PASSWORD").doc("password", "text (never shown)", null);
    /** TLS mode. */
    public static final Setting<SslMode> SSL_MODE = Setting.of("sslMode", SslMode.PREFER, raw -> {
                try {
                    return SslMode.parse("sslMode", raw);
                } catch (ConfigException e) {
                    throw new IllegalArgumentException("must be one of disable, allow, prefer, require, verify-ca, verify-full");
                }
            }, v -> null, "—", "`disable`, `allow`, `prefer`, `require`, `verify-ca`, `verify-full`")
            .env("SSL_MODE").inherited().doc("TLS mode", null, "`prefer`");
    /** CA certificate file. */
    public static final Setting<Path> SSL_ROOT_CERT = Setting.file("sslRootCert").env("SSL_ROOT_CERT").inherited()
            .range("required with `verify-ca` and `verify-full`").doc("CA certificate file", null, null);
    /** Client certificate file (PEM), for certificate authentication. */
    public static final Setting<Path> SSL_CERT = Setting.file("sslCert").env("SSL_CERT").inherited()
            .range("together with `PG_SSL_KEY`").doc("client certificate file (PEM)", null, null);
    /** Client key file (PKCS#8 PEM) of the client certificate. */
    public static final Setting<Path> SSL_KEY = Setting.file("sslKey").env("SSL_KEY").inherited()
            .range("together with `PG_SSL_CERT`").doc("client key file (PKCS#8 PEM, unencrypted)", null, null);
    /** Connections opened at start and kept when idle. */
    public static final Setting<Integer> MIN_CONNECTIONS = Setting.integer("minConnections", 1, 0, 10_000).env("MIN_CONNECTIONS")
            .range("0 to the maximum").doc("connections opened at start and kept when idle", null, null);
    /** Most connections. */
    public static final Setting<Integer> MAX_CONNECTIONS = Setting.integer("maxConnections", 10, 1, 10_000).env("MAX_CONNECTIONS")
            .doc("most connections", null, null);
    /** Most waiting callers. */
    public static final Setting<Integer> MAX_PENDING_ACQUIRES = Setting.integer("maxPendingAcquires", Integer.MAX_VALUE, 1, Integer.MAX_VALUE)
            .env("MAX_PENDING_ACQUIRES").doc("most callers waiting for a connection", null, "unbounded");
    /** Longest wait for a connection. */
    public static final Setting<Duration> ACQUIRE_TIMEOUT = Setting.duration("acquireTimeout", Duration.ofSeconds(5), MS, DAY)
            .env("ACQUIRE_TIMEOUT").doc("longest wait for a connection", null, null);
    /** Longest time to open a connection. */
    public static final Setting<Duration> CONNECT_TIMEOUT = Setting.duration("connectTimeout", Duration.ofSeconds(5), MS, DAY)
            .env("CONNECT_TIMEOUT").doc("longest time to open a connection", null, null);
    /** Idle connections above the minimum are closed after this. */
    public static final Setting<Duration> IDLE_TIMEOUT = Setting.duration("idleTimeout", Duration.ofMinutes(10), MS, DAY)
            .env("IDLE_TIMEOUT").doc("idle connections above the minimum are closed after", null, null);
    /** Longest life of a connection. */
    public static final Setting<Duration> MAX_LIFETIME = Setting.duration("maxLifetime", Duration.ofMinutes(30), MS, DAY)
            .env("MAX_LIFETIME").doc("longest life of a connection", null, null);
    /** Share by which each connection's lifetime is randomly shortened. */
    public static final Setting<Double> LIFETIME_JITTER = Setting.decimal("lifetimeJitter", 0.1, 0, false, 0.5)
            .env("LIFETIME_JITTER").doc("share by which each connection's lifetime is randomly shortened", null, null);
    /** Uses after which a connection is closed; 0 never. */
    public static final Setting<Integer> RECYCLE_AFTER_USES = Setting.integer("recycleAfterUses", 0, 0, Integer.MAX_VALUE)
            .env("RECYCLE_AFTER_USES").doc("close a connection after this many uses", null, "`0` (never)");
    /** How connections are checked on checkout. */
    public static final Setting<ValidationMode> VALIDATION = Setting.enumeration("validation", ValidationMode.class, ValidationMode.LOCAL)
            .env("VALIDATION").doc("check on checkout", null, "`local`");
    /** The query of {@link ValidationMode#QUERY}. */
    public static final Setting<String> VALIDATION_QUERY = Setting.text("validationQuery", null, v -> !v.isBlank(),
            "must be a query such as SELECT 1", "only with `query`").optional().env("VALIDATION_QUERY")
            .doc("query of `PG_VALIDATION=query`", "SQL", null);
    /** Time limit of one validation that makes a round trip. */
    public static final Setting<Duration> VALIDATION_TIMEOUT = Setting.duration("validationTimeout", Duration.ofSeconds(2), MS, DAY)
            .env("VALIDATION_TIMEOUT").doc("time limit of one validation", null, null);
    /** {@code statement_timeout} of every connection. */
    public static final Setting<Duration> STATEMENT_TIMEOUT = Setting.duration("statementTimeout", null, MS, DAY)
            .orOff("Sluice sets no statement_timeout and the server's applies").env("STATEMENT_TIMEOUT")
            .doc("`statement_timeout` of every connection", null, "none (the server's)");
    /** {@code idle_in_transaction_session_timeout} of every connection. */
    public static final Setting<Duration> IDLE_IN_TRANSACTION_TIMEOUT = Setting.duration("idleInTransactionTimeout",
                    Duration.ofSeconds(60), MS, DAY)
            .orOff("Sluice sets no idle_in_transaction_session_timeout and the server's applies").env("IDLE_IN_TRANSACTION_TIMEOUT")
            .doc("`idle_in_transaction_session_timeout` of every connection", null, null);
    /** {@code application_name} of every connection. */
    public static final Setting<String> APPLICATION_NAME = Setting.text("applicationName", null,
            v -> APPLICATION_NAME_PATTERN.matcher(v).matches(),
            "must be 1 to 63 letters, digits, spaces or '_ . : / -' (no quotes or control characters)",
            "1 to 63 letters, digits, spaces, `_ . : / -`").optional().env("APP_NAME")
            .doc("`application_name` (shows in `pg_stat_activity`)", null, "`sluice-<pool>`");
    /** Prepared statements cached per connection. */
    public static final Setting<Integer> STATEMENT_CACHE_SIZE = Setting.integer("statementCacheSize", 256, 0, 100_000)
            .env("STATEMENT_CACHE_SIZE").range("0 (off) to 100,000").doc("prepared statements cached per connection", null, null);
    /** Statements slower than this are logged. */
    public static final Setting<Duration> SLOW_QUERY_THRESHOLD = Setting.duration("slowQueryThreshold", Duration.ofSeconds(1), MS, DAY)
            .env("SLOW_QUERY_THRESHOLD").doc("statements slower than this are logged", null, null);
    /** Connections held longer than this are reported as leaks. */
    public static final Setting<Duration> LEAK_DETECTION_THRESHOLD = Setting.duration("leakDetectionThreshold", null, MS, DAY)
            .orOff("leak detection is off").env("LEAK_DETECTION_THRESHOLD")
            .doc("report connections held longer than this", null, "off");
    /** Time in-flight work gets at shutdown. */
    public static final Setting<Duration> SHUTDOWN_GRACE_PERIOD = Setting.duration("shutdownGracePeriod", Duration.ofSeconds(10), Duration.ZERO, DAY)
            .env("SHUTDOWN_GRACE_PERIOD").doc("time in-flight work gets at shutdown", "duration (`0` allowed)", null);
    /** How often the pool looks for connections to close. */
    public static final Setting<Duration> EVICTION_INTERVAL = Setting.duration("evictionInterval", Duration.ofSeconds(30), Duration.ofMillis(10), DAY)
            .doc("how often idle, expired and worn-out connections are looked for", null, null);

    /** Every declared setting of a pool, in the order of the README's table. */
    public static final List<Setting<?>> SETTINGS = List.of(HOST, PORT, DATABASE, USER, PASSWORD, SSL_MODE, SSL_ROOT_CERT,
            SSL_CERT, SSL_KEY, MIN_CONNECTIONS, MAX_CONNECTIONS, MAX_PENDING_ACQUIRES, ACQUIRE_TIMEOUT, CONNECT_TIMEOUT,
            IDLE_TIMEOUT, MAX_LIFETIME, LIFETIME_JITTER, RECYCLE_AFTER_USES, VALIDATION, VALIDATION_QUERY, VALIDATION_TIMEOUT,
            STATEMENT_TIMEOUT, IDLE_IN_TRANSACTION_TIMEOUT, APPLICATION_NAME, STATEMENT_CACHE_SIZE, SLOW_QUERY_THRESHOLD,
            LEAK_DETECTION_THRESHOLD, SHUTDOWN_GRACE_PERIOD, EVICTION_INTERVAL, ROLE);

    private final String name;
    private final PoolRole role;
    private final String host;
    private final int port;
    private final String database;
    private final String user;
    private final String password;
    private final SslMode sslMode;
    private final Path sslRootCert;
    private final Path sslCert;
    private final Path sslKey;
    private final int minConnections;
    private final int maxConnections;
    private final int maxPendingAcquires;
    private final Duration acquireTimeout;
    private final Duration connectTimeout;
    private final Duration idleTimeout;
    private final Duration maxLifetime;
    private final double lifetimeJitter;
    private final int recycleAfterUses;
    private final ValidationMode validation;
    private final String validationQuery;
    private final Duration validationTimeout;
    private final Duration statementTimeout;
    private final Duration idleInTransactionTimeout;
    private final String applicationName;
    private final int statementCacheSize;
    private final Map<String, String> serverSettings;
    private final List<Function<Connection, Publisher<Void>>> afterConnect;
    private final Duration slowQueryThreshold;
    private final Duration leakDetectionThreshold;
    private final Duration shutdownGracePeriod;
    private final Duration evictionInterval;
    private final RetryPolicy retry;
    private final CircuitBreakerPolicy circuitBreaker;

    private PgPoolConfig(Builder b) {
        this.name = b.name;
        this.role = b.role;
        this.host = b.host;
        this.port = b.port;
        this.database = b.database;
        this.user = b.user;
        this.password = b.password;
        this.sslMode = b.sslMode;
        this.sslRootCert = b.sslRootCert;
        this.sslCert = b.sslCert;
        this.sslKey = b.sslKey;
        this.minConnections = b.minConnections;
        this.maxConnections = b.maxConnections;
        this.maxPendingAcquires = b.maxPendingAcquires;
        this.acquireTimeout = b.acquireTimeout;
        this.connectTimeout = b.connectTimeout;
        this.idleTimeout = b.idleTimeout;
        this.maxLifetime = b.maxLifetime;
        this.lifetimeJitter = b.lifetimeJitter;
        this.recycleAfterUses = b.recycleAfterUses;
        this.validation = b.validation;
        this.validationQuery = b.validationQuery;
        this.validationTimeout = b.validationTimeout;
        this.statementTimeout = b.statementTimeout;
        this.idleInTransactionTimeout = b.idleInTransactionTimeout;
        this.applicationName = b.applicationName != null ? b.applicationName : "sluice-" + b.name;
        this.statementCacheSize = b.statementCacheSize;
        this.serverSettings = Collections.unmodifiableMap(new LinkedHashMap<>(b.serverSettings));
        this.afterConnect = List.copyOf(b.afterConnect);
        this.slowQueryThreshold = b.slowQueryThreshold;
        this.leakDetectionThreshold = b.leakDetectionThreshold;
        this.shutdownGracePeriod = b.shutdownGracePeriod;
        this.evictionInterval = b.evictionInterval;
        this.retry = b.retry;
        this.circuitBreaker = b.circuitBreaker;
    }

    /** A builder for the pool called {@code name}, with the defaults above. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** A builder starting from this configuration's values. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Pool name, unique within a registry. */
    public String name() {
        return name;
    }

    /** What the pool is for. */
    public PoolRole role() {
        return role;
    }

    /** Server host. */
    public String host() {
        return host;
    }

    /** Server port. */
    public int port() {
        return port;
    }

    /** Database name. */
    public String database() {
        return database;
    }

    /** User name. */
    public String user() {
        return user;
    }

    /** The password, or empty. Never logged or printed by Sluice. */
    public Optional<String> password() {
        return Optional.ofNullable(password);
    }

    /** TLS mode. */
    public SslMode sslMode() {
        return sslMode;
    }

    /** CA certificate file for {@code verify-ca}/{@code verify-full}, if set. */
    public Optional<Path> sslRootCert() {
        return Optional.ofNullable(sslRootCert);
    }

    /** Client certificate (PEM) presented to the server for certificate authentication, if set. */
    public Optional<Path> sslCert() {
        return Optional.ofNullable(sslCert);
    }

    /** Key (PKCS#8 PEM) of {@link #sslCert()}, if set. Its path is not secret; its content is never read into a message. */
    public Optional<Path> sslKey() {
        return Optional.ofNullable(sslKey);
    }

    /** Connections kept open even when idle, opened at start. */
    public int minConnections() {
        return minConnections;
    }

    /** Most connections the pool opens. */
    public int maxConnections() {
        return maxConnections;
    }

    /** Most callers waiting for a connection; {@code Integer.MAX_VALUE} when unbounded. */
    public int maxPendingAcquires() {
        return maxPendingAcquires;
    }

    /** Longest a caller waits for a connection before a {@link PoolExhaustedException}. */
    public Duration acquireTimeout() {
        return acquireTimeout;
    }

    /** Longest the opening of one new connection may take. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** Idle connections above the minimum are closed after this long. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** Upper bound of a connection's life; each gets a jittered, shorter one (see {@link #lifetimeJitter()}). */
    public Duration maxLifetime() {
        return maxLifetime;
    }

    /** Fraction (0 to 0.5) by which each connection's lifetime is randomly shortened. */
    public double lifetimeJitter() {
        return lifetimeJitter;
    }

    /** A connection is closed after this many uses; 0 means never. */
    public int recycleAfterUses() {
        return recycleAfterUses;
    }

    /** How a connection is checked on checkout. */
    public ValidationMode validation() {
        return validation;
    }

    /** The query of {@link ValidationMode#QUERY}, if set. */
    public Optional<String> validationQuery() {
        return Optional.ofNullable(validationQuery);
    }

    /**
     * Time limit of one validation that makes a round trip ({@link ValidationMode#REMOTE}, {@link ValidationMode#QUERY});
     * {@code LOCAL} and {@code NONE} make none and are not timed.
     */
    public Duration validationTimeout() {
        return validationTimeout;
    }

    /** {@code statement_timeout} of every connection, or empty for the server's. */
    public Optional<Duration> statementTimeout() {
        return Optional.ofNullable(statementTimeout);
    }

    /** {@code idle_in_transaction_session_timeout} of every connection, or empty for the server's. */
    public Optional<Duration> idleInTransactionTimeout() {
        return Optional.ofNullable(idleInTransactionTimeout);
    }

    /** {@code application_name} of every connection (shows in {@code pg_stat_activity}). */
    public String applicationName() {
        return applicationName;
    }

    /** Prepared statements cached per connection; 0 disables the cache. */
    public int statementCacheSize() {
        return statementCacheSize;
    }

    /** Further server settings applied to every new connection, such as {@code work_mem}. */
    public Map<String, String> serverSettings() {
        return serverSettings;
    }

    /** Hooks run, in order, on every new connection before it joins the pool. */
    public List<Function<Connection, Publisher<Void>>> afterConnect() {
        return afterConnect;
    }

    /** Statements slower than this are logged by the query helpers. */
    public Duration slowQueryThreshold() {
        return slowQueryThreshold;
    }

    /** A connection held longer than this is reported as a leak; empty when leak detection is off. */
    public Optional<Duration> leakDetectionThreshold() {
        return Optional.ofNullable(leakDetectionThreshold);
    }

    /** How long in-flight work may run after shutdown starts. */
    public Duration shutdownGracePeriod() {
        return shutdownGracePeriod;
    }

    /** How often idle, expired and worn-out connections are looked for, and the minimum restored. */
    public Duration evictionInterval() {
        return evictionInterval;
    }

    /** The retry policy of transactions that do not give their own ({@link RetryPolicy#NONE} by default). */
    public RetryPolicy retry() {
        return retry;
    }

    /** The circuit breaker ({@link CircuitBreakerPolicy#DEFAULT} by default). */
    public CircuitBreakerPolicy circuitBreaker() {
        return circuitBreaker;
    }

    /** {@code host:port}, the server this pool talks to (used to group pools in the capacity check). */
    public String serverAddress() {
        return host + ":" + port;
    }

    @Override
    public String toString() {
        return "PgPoolConfig[" + name + " " + role + " " + user + "@" + host + ":" + port + "/" + database
                + " password=" + (password == null ? "(none)" : "(hidden)") + " ssl=" + sslMode.libpqName()
                + (sslCert == null ? "" : " clientCertificate=" + sslCert)
                + " connections=" + minConnections + ".." + maxConnections + " acquireTimeout=" + acquireTimeout
                + " app=" + applicationName + "]";
    }

    /**
     * Builds a {@link PgPoolConfig}. Setters only record; {@link #build()} validates everything at once and
     * reports every problem together in one {@link ConfigException}.
     */
    public static final class Builder {
        private String name;
        private PoolRole role = PoolRole.PRIMARY;
        private String host = "localhost";
        private int port = 5432;
        private String database = "postgres";
        private String user;
        private String password;
        private SslMode sslMode = SslMode.PREFER;
        private Path sslRootCert;
        private Path sslCert;
        private Path sslKey;
        private int minConnections = 1;
        private int maxConnections = 10;
        private int maxPendingAcquires = Integer.MAX_VALUE;
        private Duration acquireTimeout = Duration.ofSeconds(5);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration idleTimeout = Duration.ofMinutes(10);
        private Duration maxLifetime = Duration.ofMinutes(30);
        private double lifetimeJitter = 0.10;
        private int recycleAfterUses;
        private ValidationMode validation = ValidationMode.LOCAL;
        private String validationQuery;
        private Duration validationTimeout = Duration.ofSeconds(2);
        private Duration statementTimeout;
        private Duration idleInTransactionTimeout = Duration.ofSeconds(60);
        private String applicationName;
        private int statementCacheSize = 256;
        private final Map<String, String> serverSettings = new LinkedHashMap<>();
        private final List<Function<Connection, Publisher<Void>>> afterConnect = new ArrayList<>();
        private Duration slowQueryThreshold = Duration.ofSeconds(1);
        private Duration leakDetectionThreshold;
        private Duration shutdownGracePeriod = Duration.ofSeconds(10);
        private Duration evictionInterval = Duration.ofSeconds(30);
        private RetryPolicy retry = RetryPolicy.NONE;
        private CircuitBreakerPolicy circuitBreaker = CircuitBreakerPolicy.DEFAULT;

        private Builder(String name) {
            this.name = name;
        }

        private Builder(PgPoolConfig c) {
            name = c.name;
            role = c.role;
            host = c.host;
            port = c.port;
            database = c.database;
            user = c.user;
            password = c.password;
            sslMode = c.sslMode;
            sslRootCert = c.sslRootCert;
            sslCert = c.sslCert;
            sslKey = c.sslKey;
            minConnections = c.minConnections;
            maxConnections = c.maxConnections;
            maxPendingAcquires = c.maxPendingAcquires;
            acquireTimeout = c.acquireTimeout;
            connectTimeout = c.connectTimeout;
            idleTimeout = c.idleTimeout;
            maxLifetime = c.maxLifetime;
            lifetimeJitter = c.lifetimeJitter;
            recycleAfterUses = c.recycleAfterUses;
            validation = c.validation;
            validationQuery = c.validationQuery;
            validationTimeout = c.validationTimeout;
            statementTimeout = c.statementTimeout;
            idleInTransactionTimeout = c.idleInTransactionTimeout;
            applicationName = c.applicationName;
            statementCacheSize = c.statementCacheSize;
            serverSettings.putAll(c.serverSettings);
            afterConnect.addAll(c.afterConnect);
            slowQueryThreshold = c.slowQueryThreshold;
            leakDetectionThreshold = c.leakDetectionThreshold;
            shutdownGracePeriod = c.shutdownGracePeriod;
            evictionInterval = c.evictionInterval;
            retry = c.retry;
            circuitBreaker = c.circuitBreaker;
        }

        /** Renames the pool (used when one configuration is the template of another). */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** What the pool is for; {@link PoolRole#PRIMARY} by default. */
        public Builder role(PoolRole role) {
            this.role = role;
            return this;
        }

        /** Server host; {@code localhost} by default. */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** Server port, 1 to 65535; 5432 by default. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Database; {@code postgres} by default. */
        public Builder database(String database) {
            this.database = database;
            return this;
        }

        /** User name (required). */
        public Builder user(String user) {
            this.user = user;
            return this;
        }

        /** Password; none by default (trust or certificate authentication). */
        public Builder password(String password) {
            this.password = password == null || password.isEmpty() ? null : password;
            return this;
        }

        /** TLS mode; {@link SslMode#PREFER} by default. */
        public Builder sslMode(SslMode sslMode) {
            this.sslMode = sslMode;
            return this;
        }

        /** CA certificate for {@code verify-ca} and {@code verify-full}. */
        public Builder sslRootCert(Path sslRootCert) {
            this.sslRootCert = sslRootCert;
            return this;
        }

        /**
         * Client certificate and its key (PEM files; the key PKCS#8, unencrypted) for servers whose
         * {@code pg_hba.conf} asks for one ({@code cert} authentication, or {@code clientcert=verify-ca|verify-full});
         * both or neither, and not with {@code sslMode} {@code disable}.
         */
        public Builder sslClientCertificate(Path certificate, Path key) {
            this.sslCert = certificate;
            this.sslKey = key;
            return this;
        }

        /** The client certificate alone (libpq's {@code sslcert}); see {@link #sslClientCertificate(Path, Path)}. */
        public Builder sslCert(Path certificate) {
            this.sslCert = certificate;
            return this;
        }

        /** The client key alone (libpq's {@code sslkey}); see {@link #sslClientCertificate(Path, Path)}. */
        public Builder sslKey(Path key) {
            this.sslKey = key;
            return this;
        }

        /** Connections opened at start and kept when idle; 0 to {@code maxConnections}. */
        public Builder minConnections(int minConnections) {
            this.minConnections = minConnections;
            return this;
        }

        /** Most connections; 1 to 10,000. */
        public Builder maxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
            return this;
        }

        /** Most waiting callers (at least 1); beyond it an acquire fails at once. */
        public Builder maxPendingAcquires(int maxPendingAcquires) {
            this.maxPendingAcquires = maxPendingAcquires;
            return this;
        }

        /** Longest wait for a connection; 1 ms to 1 day. */
        public Builder acquireTimeout(Duration acquireTimeout) {
            this.acquireTimeout = acquireTimeout;
            return this;
        }

        /** Longest time to open one connection; 1 ms to 1 day. */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        /** Idle connections above the minimum are closed after this; 1 ms to 1 day. */
        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
            return this;
        }

        /** Longest life of a connection; 1 ms to 1 day. */
        public Builder maxLifetime(Duration maxLifetime) {
            this.maxLifetime = maxLifetime;
            return this;
        }

        /** Fraction, 0 to 0.5, by which each connection's lifetime is randomly shortened; 0.1 by default. */
        public Builder lifetimeJitter(double lifetimeJitter) {
            this.lifetimeJitter = lifetimeJitter;
            return this;
        }

        /** Close a connection after this many uses; 0 (the default) never. */
        public Builder recycleAfterUses(int recycleAfterUses) {
            this.recycleAfterUses = recycleAfterUses;
            return this;
        }

        /** How connections are checked on checkout; {@link ValidationMode#QUERY} needs {@link #validationQuery(String)}. */
        public Builder validation(ValidationMode validation) {
            this.validation = validation;
            return this;
        }

        /** The query run by {@link ValidationMode#QUERY}, for example {@code SELECT 1}. */
        public Builder validationQuery(String validationQuery) {
            this.validationQuery = validationQuery;
            return this;
        }

        /** Time limit of one validation that makes a round trip (REMOTE, QUERY); 1 ms to 1 day. */
        public Builder validationTimeout(Duration validationTimeout) {
            this.validationTimeout = validationTimeout;
            return this;
        }

        /** {@code statement_timeout} of every connection; 1 ms to 1 day. */
        public Builder statementTimeout(Duration statementTimeout) {
            this.statementTimeout = statementTimeout;
            return this;
        }

        /** {@code idle_in_transaction_session_timeout} of every connection; 1 ms to 1 day, or {@code null} for the server's. */
        public Builder idleInTransactionTimeout(Duration idleInTransactionTimeout) {
            this.idleInTransactionTimeout = idleInTransactionTimeout;
            return this;
        }

        /** {@code application_name}: 1 to 63 letters, digits, spaces and {@code _ . : / -}. */
        public Builder applicationName(String applicationName) {
            this.applicationName = applicationName;
            return this;
        }

        /** Prepared statements cached per connection, 0 to 100,000. */
        public Builder statementCacheSize(int statementCacheSize) {
            this.statementCacheSize = statementCacheSize;
            return this;
        }

        /**
         * A server setting for every new connection, such as {@code work_mem = 256MB}. Names are PostgreSQL
         * setting names; values are plain tokens (letters, digits, {@code _ . : / + -}).
         */
        public Builder serverSetting(String name, String value) {
            this.serverSettings.put(name, value);
            return this;
        }

        /** A hook run on every new connection before it joins the pool; a failing hook fails that connection. */
        public Builder afterConnect(Function<Connection, Publisher<Void>> hook) {
            this.afterConnect.add(Objects.requireNonNull(hook, "hook"));
            return this;
        }

        /** Statements slower than this are logged by the helpers; 1 ms to 1 day. */
        public Builder slowQueryThreshold(Duration slowQueryThreshold) {
            this.slowQueryThreshold = slowQueryThreshold;
            return this;
        }

        /** Report connections held longer than this, with where they were acquired; {@code null} turns it off. */
        public Builder leakDetectionThreshold(Duration leakDetectionThreshold) {
            this.leakDetectionThreshold = leakDetectionThreshold;
            return this;
        }

        /** How long in-flight work may run after shutdown starts; 0 to 1 day. */
        public Builder shutdownGracePeriod(Duration shutdownGracePeriod) {
            this.shutdownGracePeriod = shutdownGracePeriod;
            return this;
        }

        /** How often the pool looks for connections to close and restores its minimum; 10 ms to 1 day. */
        public Builder evictionInterval(Duration evictionInterval) {
            this.evictionInterval = evictionInterval;
            return this;
        }

        /** Retry policy of transactions that give none; {@link RetryPolicy#NONE} (no retry) by default. */
        public Builder retry(RetryPolicy retry) {
            this.retry = retry;
            return this;
        }

        /** The pool's circuit breaker; {@link CircuitBreakerPolicy#DEFAULT} by default, {@link CircuitBreakerPolicy#DISABLED} for none. */
        public Builder circuitBreaker(CircuitBreakerPolicy circuitBreaker) {
            this.circuitBreaker = circuitBreaker;
            return this;
        }

        /**
         * Validates every setting and builds the configuration.
         *
         * @throws ConfigException listing every invalid value, each naming the setting (in scope
         *                         {@code pool '<name>'}), the value and the valid range
         */
        public PgPoolConfig build() {
            if (name == null || !NAME.matcher(name).matches()) {
                throw new ConfigException("name", name, "a pool name is 1 to 63 lower-case letters, digits, '_' or '-', starting with a letter");
            }
            Problems p = new Problems("pool '" + name + "'");
            p.check(ROLE, role);
            p.check(HOST, host);
            p.check(PORT, port);
            p.check(DATABASE, database);
            p.check(USER, user);
            p.check(SSL_MODE, sslMode);
            if ((sslMode == SslMode.VERIFY_CA || sslMode == SslMode.VERIFY_FULL) && sslRootCert == null) {
                p.add(SSL_ROOT_CERT, null, "is required with sslMode " + sslMode.libpqName()
                        + ": give the CA certificate file that signed the server's certificate");
            }
            p.check(SSL_ROOT_CERT, sslRootCert);
            p.check(SSL_CERT, sslCert);
            p.check(SSL_KEY, sslKey);
            if ((sslCert == null) != (sslKey == null)) {
                p.add(sslCert == null ? SSL_CERT : SSL_KEY, null, "sslCert and sslKey go together: give the client certificate and its key, or neither");
            }
            if (sslCert != null && sslMode == SslMode.DISABLE) {
                p.add(SSL_MODE, sslMode, "a client certificate needs TLS: set sslMode to prefer or stricter, or remove the certificate");
            }
            p.check(MAX_CONNECTIONS, maxConnections);
            if (minConnections < 0 || (MAX_CONNECTIONS.problem(maxConnections) == null && minConnections > maxConnections)) {
                p.add(MIN_CONNECTIONS, minConnections, "must be between 0 and maxConnections (" + maxConnections
                        + "); lower minConnections or raise maxConnections");
            }
            p.check(MAX_PENDING_ACQUIRES, maxPendingAcquires);
            p.check(ACQUIRE_TIMEOUT, acquireTimeout);
            p.check(CONNECT_TIMEOUT, connectTimeout);
            p.check(IDLE_TIMEOUT, idleTimeout);
            p.check(MAX_LIFETIME, maxLifetime);
            p.check(LIFETIME_JITTER, lifetimeJitter);
            p.check(RECYCLE_AFTER_USES, recycleAfterUses);
            p.check(VALIDATION, validation);
            if (validation == ValidationMode.QUERY && (validationQuery == null || validationQuery.isBlank())) {
                p.add(VALIDATION_QUERY, validationQuery, "is required with validation QUERY, for example 'SELECT 1'");
            } else if (validation != null && validation != ValidationMode.QUERY && validationQuery != null) {
                p.add(VALIDATION_QUERY, validationQuery, "is only used with validation QUERY (validation is "
                        + validation + "); set validation(QUERY) or remove the query");
            }
            p.check(VALIDATION_TIMEOUT, validationTimeout);
            p.check(STATEMENT_TIMEOUT, statementTimeout);
            p.check(IDLE_IN_TRANSACTION_TIMEOUT, idleInTransactionTimeout);
            p.check(APPLICATION_NAME, applicationName);
            p.check(STATEMENT_CACHE_SIZE, statementCacheSize);
            for (Map.Entry<String, String> setting : serverSettings.entrySet()) {
                if (setting.getKey() == null || !SETTING_NAME.matcher(setting.getKey()).matches()) {
                    p.add("serverSetting", setting.getKey(), "must be a PostgreSQL setting name such as work_mem");
                } else if (setting.getValue() == null || !SETTING_VALUE.matcher(setting.getValue()).matches()) {
                    p.add("serverSetting " + setting.getKey(), setting.getValue(),
                            "must be 1 to 200 letters, digits or '_ . : / + -', such as 256MB or off");
                }
            }
            p.check(SLOW_QUERY_THRESHOLD, slowQueryThreshold);
            p.check(LEAK_DETECTION_THRESHOLD, leakDetectionThreshold);
            p.check(SHUTDOWN_GRACE_PERIOD, shutdownGracePeriod);
            p.check(EVICTION_INTERVAL, evictionInterval);
            if (retry == null) {
                p.add("retry", null, "must be a RetryPolicy (RetryPolicy.NONE for no retry)");
            }
            if (circuitBreaker == null) {
                p.add("circuitBreaker", null, "must be a CircuitBreakerPolicy (CircuitBreakerPolicy.DISABLED for none)");
            }
            p.throwIfAny();
            return new PgPoolConfig(this);
        }
    }
}
