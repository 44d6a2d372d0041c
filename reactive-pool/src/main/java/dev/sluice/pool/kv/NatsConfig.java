package dev.sluice.pool.kv;

import dev.sluice.pool.config.ConfigException;
import dev.sluice.pool.config.ConfigProblem;
import dev.sluice.pool.config.Durations;
import dev.sluice.pool.config.Environment;
import dev.sluice.pool.config.Problems;
import dev.sluice.pool.config.Setting;
import dev.sluice.pool.config.Sizes;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static dev.sluice.pool.kv.ConfigValues.describeDuration;

/**
 * Everything {@link KvStores} needs: the NATS servers and how to reach them (authentication, TLS, timeouts, a
 * small pool of connections, the {@link ReconnectPolicy}), and the KV buckets to provision. Immutable; built with
 * {@link #builder()} or loaded with {@link #fromEnvironment(Map)}, and validated in one place,
 * {@link Builder#build()}, which reports every invalid setting at once in one {@link ConfigException}, each
 * problem with its variable, value and the accepted range.
 *
 * <p>Each setting is declared once as a {@link Setting} constant here or in {@link KvBucketConfig}; the module
 * README's table of variables is checked against those declarations. Environment variables follow the rules of
 * {@link Environment}: a blank variable is an error, an unknown {@code NATS_} variable is a warning naming the
 * closest known one, and the NATS CLI's names ({@code NATS_URL}, {@code NATS_CREDS}, {@code NATS_CERT},
 * {@code NATS_KEY}, {@code NATS_CA}, {@code NATS_NKEY}) are read too, refused when they disagree with Sluice's
 * own. Durations use the {@link Durations} grammar, sizes the {@link Sizes} grammar.
 *
 * <p>Authentication is at most one of: a {@code .creds} file (JWT and NKey seed), a user and password, a
 * token, or an NKey seed file. {@link #toString()} and every message leave out credentials: the user part of
 * server URLs is shown as {@code ***}, passwords and tokens as {@value ConfigProblem#MASKED}, and files only
 * as paths.
 */
public final class NatsConfig {

    /** Most connections a pool may hold. */
    public static final int MAX_CONNECTIONS = 16;
    /** Prefix of every variable. */
    public static final String PREFIX = "NATS_";

    private static final List<String> DEFAULT_SERVERS = List.of("nats://127.0.0.1:4222");

    /** Server URLs. */
    public static final Setting<List<String>> SERVERS = Setting.of("servers", DEFAULT_SERVERS, NatsConfig::splitList,
                    NatsConfig::serverProblem, "URLs `nats://host:port` (also `tls://`, `ws://`, `wss://`)", "comma-separated URLs")
            .redacting(ConfigValues::redactUrl, list -> String.join(",", list.stream().map(u -> u == null ? "null" : ConfigValues.redactUrl(u)).toList()))
            .env("SERVERS").doc("server URLs; alias `NATS_URL`", null, "`nats://127.0.0.1:4222`");
    /** A {@code .creds} file (JWT and NKey seed). */
    public static final Setting<Path> CREDENTIALS_FILE = Setting.file("credentialsFile").env("CREDS_FILE")
            .doc("`.creds` file (JWT and NKey seed); alias `NATS_CREDS`", null, null);
    /** Client certificate (PEM) for mutual TLS. */
    public static final Setting<Path> TLS_CERTIFICATE = Setting.file("tlsCertificate").env("TLS_CERT").range("together with `NATS_TLS_KEY`")
            .doc("client certificate, PEM, for mutual TLS; alias `NATS_CERT`", null, null);
    /** Client key (PKCS#8 PEM) for mutual TLS. */
    public static final Setting<Path> TLS_KEY = Setting.file("tlsKey").env("TLS_KEY").range("together with `NATS_TLS_CERT`")
            .doc("client key, PKCS#8 PEM; alias `NATS_KEY`", null, null);
    /** CA certificate(s) trusted for the server. */
    public static final Setting<Path> CA_CERTIFICATE = Setting.file("caCertificate").env("CA_CERT")
            .doc("CA certificate(s), PEM, trusted for the server; enables TLS; alias `NATS_CA`", null, null);
    /** User name of user/password authentication. */
    public static final Setting<String> USER = Setting.text("user", null, v -> !v.isBlank() && v.length() <= 256,
            "must be 1 to 256 characters", "1 to 256 characters").optional().env("USER").range("with `NATS_PASSWORD`")
            .doc("user of user/password authentication", null, null);
    /** Password of user/password authentication (secret). */
    public static final Setting<String> PASSWORD = Setting.secretText("password").range("with `NATS_USER`").optional()
            .env("PASSWORD").doc("password of user/password authentication", "text (never shown)", null);
    /** Token of token authentication (secret). */
    public static final Setting<String> TOKEN = Setting.secretText("token").optional()
            .env("TOKEN").doc("token of token authentication", "text (never shown)", null);
    /** File holding the NKey seed of NKey authentication. */
    public static final Setting<Path> NKEY_FILE = Setting.file("nkeyFile").env("NKEY_FILE")
            .doc("file holding the NKey seed (`SU...`) of NKey authentication; alias `NATS_NKEY`", null, null);
    /** Timeout of one connection attempt. */
    public static final Setting<Duration> CONNECT_TIMEOUT = Setting.duration("connectTimeout", Duration.ofSeconds(5),
            Duration.ofMillis(100), Duration.ofMinutes(10)).env("CONNECT_TIMEOUT").doc("connection timeout", null, null);
    /** Timeout of each KV operation. */
    public static final Setting<Duration> REQUEST_TIMEOUT = Setting.duration("requestTimeout", Duration.ofSeconds(5),
            Duration.ofMillis(10), Duration.ofMinutes(10)).env("REQUEST_TIMEOUT").doc("timeout of each KV operation", null, null);
    /** Connections in the pool. */
    public static final Setting<Integer> CONNECTIONS = Setting.integer("connections", 1, 1, MAX_CONNECTIONS).env("CONNECTIONS")
            .doc("connections in the pool; operations are spread over them", null, null);
    /** Reconnect attempts, -1 for no limit, 0 for none. */
    public static final Setting<Integer> RECONNECT_ATTEMPTS = Setting.integer("reconnect.maxAttempts", ReconnectPolicy.DEFAULT.maxAttempts(),
            -1, 100_000).env("RECONNECT_ATTEMPTS").range("-1 (no limit), 0 (never) to 100,000").doc("reconnect attempts", null, null);
    /** Pause between two passes over the server list. */
    public static final Setting<Duration> RECONNECT_WAIT = Setting.duration("reconnect.delay", ReconnectPolicy.DEFAULT.delay(),
            Duration.ZERO, Duration.ofMinutes(10)).env("RECONNECT_WAIT").doc("pause between two passes over the server list", null, null);
    /** Random extra pause of each reconnect. */
    public static final Setting<Duration> RECONNECT_JITTER = Setting.duration("reconnect.jitter", ReconnectPolicy.DEFAULT.jitter(),
            Duration.ZERO, Duration.ofMinutes(1));
    /** Bytes of operations kept while reconnecting. */
    public static final Setting<Long> RECONNECT_BUFFER_SIZE = Setting.of("reconnect.bufferSize", ReconnectPolicy.DEFAULT.bufferSize(),
                    Sizes::parse, v -> v >= 0 && v <= 1L << 30 ? null : "must be 0 (fail at once while disconnected) to 1GB",
                    "0 (fail at once) to 1GB", "size")
            .redacting(raw -> raw, Sizes::format).env("RECONNECT_BUFFER_SIZE")
            .doc("bytes of operations kept while reconnecting", null, "`8MB`");
    /** Connection name shown by the server. */
    public static final Setting<String> CONNECTION_NAME = Setting.text("connectionName", "sluice",
            v -> !v.isBlank() && v.length() <= 128, "must be 1 to 128 characters", "1 to 128 characters")
            .env("CONNECTION_NAME").doc("connection name shown by the server", null, null);
    /** Messages each connection may queue for sending. */
    public static final Setting<Integer> MAX_PENDING_MESSAGES = Setting.integer("maxPendingMessages", 65_536, 1_000, 10_000_000);
    /** How often round-trip time is measured; 0 for never. */
    public static final Setting<Duration> ROUND_TRIP_INTERVAL = Setting.of("roundTripInterval", Duration.ofSeconds(30), Durations::parse,
            v -> v.isZero() || (v.compareTo(Duration.ofMillis(100)) >= 0 && v.compareTo(Duration.ofHours(1)) <= 0) ? null
                    : "must be 0 (never) or a duration from 100ms to 1h", "0 or 100 ms to 1 h", "duration");
    /** Connection events kept for slow or late subscribers. */
    public static final Setting<Integer> EVENT_BUFFER_SIZE = Setting.integer("eventBufferSize", 256, 16, 65_536);
    /** Prefix of every bucket name on the server. */
    public static final Setting<String> BUCKET_PREFIX = Setting.text("bucketPrefix", "",
            v -> v.length() <= 64 && (v.isEmpty() || KvBucketConfig.NAME.matcher(v).matches()),
            "must be up to 64 letters, digits, '-' and '_'", "letters, digits, `-`, `_`").env("KV_PREFIX")
            .doc("prefix of every bucket name on the server", null, "none");
    /** Logical bucket names to provision with the bucket defaults. */
    public static final Setting<List<String>> BUCKETS = Setting.<List<String>>of("buckets", List.of(), NatsConfig::splitList, v -> null, "—",
            "comma-separated names").env("KV_BUCKETS").doc("logical bucket names, provisioned with the `NATS_KV_` settings", null, "none");

    /** Every declared setting read from the environment, in the order of the README's table. */
    public static final List<Setting<?>> SETTINGS = List.of(SERVERS, CREDENTIALS_FILE, TLS_CERTIFICATE, TLS_KEY, CA_CERTIFICATE,
            USER, PASSWORD, TOKEN, NKEY_FILE, CONNECT_TIMEOUT, REQUEST_TIMEOUT, CONNECTIONS, RECONNECT_ATTEMPTS, RECONNECT_WAIT,
            RECONNECT_BUFFER_SIZE, CONNECTION_NAME, BUCKETS, BUCKET_PREFIX);
    /** The NATS CLI's names, read as other spellings of Sluice's variables. */
    public static final Map<String, String> CLI_ALIASES = Map.of(
            "NATS_SERVERS", "NATS_URL",
            "NATS_CREDS_FILE", "NATS_CREDS",
            "NATS_TLS_CERT", "NATS_CERT",
            "NATS_TLS_KEY", "NATS_KEY",
            "NATS_CA_CERT", "NATS_CA",
            "NATS_NKEY_FILE", "NATS_NKEY");

    private static List<String> splitList(String raw) {
        return Arrays.stream(raw.split(",")).map(String::trim).filter(v -> !v.isEmpty()).toList();
    }

    private static String serverProblem(List<String> servers) {
        if (servers.isEmpty()) {
            return "is empty: give at least one URL such as nats://127.0.0.1:4222";
        }
        for (String server : servers) {
            String reason = server == null ? "is missing" : ConfigValues.checkServerUrl(server.trim());
            if (reason != null) {
                return "entry '" + (server == null ? null : ConfigValues.redactUrl(server)) + "' " + reason;
            }
        }
        return null;
    }

    /** Every variable name this loader reads, aliases included (for the unknown-variable warning and the README check). */
    public static List<String> knownVariables() {
        List<String> known = new ArrayList<>();
        Stream.concat(SETTINGS.stream(), KvBucketConfig.SETTINGS.stream()).forEach(s -> known.add(PREFIX + s.envSuffix()));
        known.addAll(CLI_ALIASES.values());
        return known;
    }

    private final List<String> servers;
    private final Path credentialsFile;
    private final Path tlsCertificate;
    private final Path tlsKey;
    private final Path caCertificate;
    private final String user;
    private final String password;
    private final String token;
    private final Path nkeyFile;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final int connections;
    private final ReconnectPolicy reconnect;
    private final String connectionName;
    private final int maxPendingMessages;
    private final Duration roundTripInterval;
    private final int eventBufferSize;
    private final String bucketPrefix;
    private final List<KvBucketConfig> buckets;

    private NatsConfig(Builder b, List<KvBucketConfig> buckets) {
        this.servers = List.copyOf(b.servers);
        this.credentialsFile = b.credentialsFile;
        this.tlsCertificate = b.tlsCertificate;
        this.tlsKey = b.tlsKey;
        this.caCertificate = b.caCertificate;
        this.user = b.user;
        this.password = b.password;
        this.token = b.token;
        this.nkeyFile = b.nkeyFile;
        this.connectTimeout = b.connectTimeout;
        this.requestTimeout = b.requestTimeout;
        this.connections = b.connections;
        this.reconnect = b.reconnect;
        this.connectionName = b.connectionName;
        this.maxPendingMessages = b.maxPendingMessages;
        this.roundTripInterval = b.roundTripInterval;
        this.eventBufferSize = b.eventBufferSize;
        this.bucketPrefix = b.bucketPrefix;
        this.buckets = List.copyOf(buckets);
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Loads and validates the configuration from environment variables (see the class description).
     *
     * @param env usually {@code System.getenv()}
     * @throws ConfigException naming every invalid variable with its value and the accepted range
     */
    public static NatsConfig fromEnvironment(Map<String, String> env) {
        return builder().environment(env).build();
    }

    /**
     * Like {@link #fromEnvironment(Map)}, reading {@code env}, whose {@link Environment#warnings()} then hold the
     * warnings (unknown {@code NATS_} variables).
     *
     * @throws ConfigException naming every invalid variable with its value and the accepted range
     */
    public static NatsConfig fromEnvironment(Environment env) {
        return builder().environment(env).build();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        Builder b = new Builder().servers(servers).connectTimeout(connectTimeout).requestTimeout(requestTimeout)
                .connections(connections).reconnect(reconnect).connectionName(connectionName)
                .maxPendingMessages(maxPendingMessages).roundTripInterval(roundTripInterval).eventBufferSize(eventBufferSize)
                .bucketPrefix(bucketPrefix);
        b.credentialsFile = credentialsFile;
        b.tlsCertificate = tlsCertificate;
        b.tlsKey = tlsKey;
        b.caCertificate = caCertificate;
        b.user = user;
        b.password = password;
        b.token = token;
        b.nkeyFile = nkeyFile;
        buckets.forEach(b::bucket);
        return b;
    }

    /** Server URLs, as given (they may carry a user and password: never log them, use {@link #toString()}). */
    public List<String> servers() {
        return servers;
    }

    /** The {@code .creds} file, if any. */
    public Optional<Path> credentialsFile() {
        return Optional.ofNullable(credentialsFile);
    }

    /** The client certificate (PEM) for mutual TLS, if any. */
    public Optional<Path> tlsCertificate() {
        return Optional.ofNullable(tlsCertificate);
    }

    /** The client key (PKCS#8 PEM) for mutual TLS, if any. */
    public Optional<Path> tlsKey() {
        return Optional.ofNullable(tlsKey);
    }

    /** The CA certificate(s) (PEM) trusted for the server, if any. */
    public Optional<Path> caCertificate() {
        return Optional.ofNullable(caCertificate);
    }

    /** The user of user/password authentication, if set. */
    public Optional<String> user() {
        return Optional.ofNullable(user);
    }

    /** The password of user/password authentication, if set. Never logged or printed by Sluice. */
    public Optional<String> password() {
        return Optional.ofNullable(password);
    }

    /** The token of token authentication, if set. Never logged or printed by Sluice. */
    public Optional<String> token() {
        return Optional.ofNullable(token);
    }

    /** The file holding the NKey seed of NKey authentication, if set. Its content is never read into a message. */
    public Optional<Path> nkeyFile() {
        return Optional.ofNullable(nkeyFile);
    }

    /** Whether connections use TLS: a CA or a client certificate is set, or a server URL has scheme tls or wss. */
    public boolean tls() {
        return caCertificate != null || tlsCertificate != null
                || servers.stream().anyMatch(s -> s.regionMatches(true, 0, "tls:", 0, 4) || s.regionMatches(true, 0, "wss:", 0, 4));
    }

    /** Timeout of one connection attempt. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** Timeout of each KV operation, after which it fails with {@link KvTimeoutException}. */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    /** Number of connections in the pool; operations are spread over them. */
    public int connections() {
        return connections;
    }

    /** How connections reconnect. */
    public ReconnectPolicy reconnect() {
        return reconnect;
    }

    /** Connection name shown by the server (suffixed with the connection's index). */
    public String connectionName() {
        return connectionName;
    }

    /** Messages each connection may queue for sending before a publish fails. */
    public int maxPendingMessages() {
        return maxPendingMessages;
    }

    /** How often each connection's round-trip time is measured; {@link Duration#ZERO} for never. */
    public Duration roundTripInterval() {
        return roundTripInterval;
    }

    /** Connection events kept for slow or late subscribers of {@link KvStores#events()}. */
    public int eventBufferSize() {
        return eventBufferSize;
    }

    /** Prefix of every bucket name on the server (may be empty). */
    public String bucketPrefix() {
        return bucketPrefix;
    }

    /** The buckets to provision at start, by logical name. */
    public List<KvBucketConfig> buckets() {
        return buckets;
    }

    /** The bucket's name on the server: the prefix followed by the logical name. */
    public String serverBucketName(String logicalName) {
        return bucketPrefix + logicalName;
    }

    @Override
    public String toString() {
        return "NatsConfig[servers=" + servers.stream().map(ConfigValues::redactUrl).toList()
                + " connections=" + connections
                + " credentials=" + (credentialsFile == null ? "none" : "set")
                + " auth=" + (user != null ? "user/password" : token != null ? "token" : nkeyFile != null ? "nkey"
                        : credentialsFile != null ? "credentials file" : "none")
                + " tls=" + (tls() ? "on" + (tlsCertificate != null ? " (client certificate)" : "") : "off")
                + " connectTimeout=" + describeDuration(connectTimeout)
                + " requestTimeout=" + describeDuration(requestTimeout)
                + " reconnect=" + reconnect
                + " connectionName=" + connectionName
                + " bucketPrefix='" + bucketPrefix + "'"
                + " buckets=" + buckets + "]";
    }

    /**
     * Settings for {@link NatsConfig}. Setters take typed values; {@link #environment(Map)} reads the variables.
     * Nothing is checked until {@link #build()}, which checks everything.
     */
    public static final class Builder {
        private List<String> servers = DEFAULT_SERVERS;
        private Path credentialsFile;
        private Path tlsCertificate;
        private Path tlsKey;
        private Path caCertificate;
        private String user;
        private String password;
        private String token;
        private Path nkeyFile;
        private Duration connectTimeout = CONNECT_TIMEOUT.defaultValue();
        private Duration requestTimeout = REQUEST_TIMEOUT.defaultValue();
        private int connections = CONNECTIONS.defaultValue();
        private ReconnectPolicy reconnect = ReconnectPolicy.DEFAULT;
        private String connectionName = CONNECTION_NAME.defaultValue();
        private int maxPendingMessages = MAX_PENDING_MESSAGES.defaultValue();
        private Duration roundTripInterval = ROUND_TRIP_INTERVAL.defaultValue();
        private int eventBufferSize = EVENT_BUFFER_SIZE.defaultValue();
        private String bucketPrefix = BUCKET_PREFIX.defaultValue();
        private final KvBucketConfig.Builder bucketDefaults = KvBucketConfig.builder("defaults");
        private final List<BucketSpec> bucketSpecs = new ArrayList<>();
        /** Problems found while reading the environment, which build() reports with its own. */
        private final List<ConfigProblem> environmentProblems = new ArrayList<>();
        /** The variable each setting read from the environment came from, so build() can name it. */
        private final Map<String, String> sources = new LinkedHashMap<>();

        private Builder() {
        }

        /** Server URLs, {@code nats://host:port} (also {@code tls://}, {@code ws://}, {@code wss://}). */
        public Builder servers(List<String> servers) {
            forget(SERVERS);
            this.servers = servers == null ? null : new ArrayList<>(servers);
            return this;
        }

        /** Server URLs, {@code nats://host:port}. */
        public Builder servers(String... servers) {
            return servers(Arrays.asList(servers));
        }

        /** A {@code .creds} file for JWT authentication; null for none. */
        public Builder credentialsFile(Path file) {
            forget(CREDENTIALS_FILE);
            this.credentialsFile = file;
            return this;
        }

        /** User and password authentication (the server's {@code authorization { user, password }}); nulls for none. */
        public Builder userPassword(String user, String password) {
            forget(USER);
            forget(PASSWORD);
            this.user = user;
            this.password = password;
            return this;
        }

        /** Token authentication (the server's {@code authorization { token }}); null for none. */
        public Builder token(String token) {
            forget(TOKEN);
            this.token = token;
            return this;
        }

        /**
         * NKey authentication: the file holding the user's NKey seed ({@code SU...}), as the NATS CLI's
         * {@code --nkey}; the server knows the public key. Null for none.
         */
        public Builder nkeyFile(Path seedFile) {
            forget(NKEY_FILE);
            this.nkeyFile = seedFile;
            return this;
        }

        /** Client certificate and PKCS#8 key (PEM files) for mutual TLS; both or neither. */
        public Builder tlsClientCertificate(Path certificate, Path key) {
            forget(TLS_CERTIFICATE);
            forget(TLS_KEY);
            this.tlsCertificate = certificate;
            this.tlsKey = key;
            return this;
        }

        /** CA certificate(s) (PEM) to trust for the server; enables TLS. */
        public Builder caCertificate(Path file) {
            forget(CA_CERTIFICATE);
            this.caCertificate = file;
            return this;
        }

        /** Timeout of one connection attempt, 100ms-10m (default 5s). */
        public Builder connectTimeout(Duration timeout) {
            forget(CONNECT_TIMEOUT);
            this.connectTimeout = timeout;
            return this;
        }

        /** Timeout of each KV operation, 10ms-10m (default 5s). */
        public Builder requestTimeout(Duration timeout) {
            forget(REQUEST_TIMEOUT);
            this.requestTimeout = timeout;
            return this;
        }

        /** Connections in the pool, 1-16 (default 1). */
        public Builder connections(int connections) {
            forget(CONNECTIONS);
            this.connections = connections;
            return this;
        }

        /** The reconnect policy (default {@link ReconnectPolicy#DEFAULT}). */
        public Builder reconnect(ReconnectPolicy policy) {
            forget(RECONNECT_ATTEMPTS);
            forget(RECONNECT_WAIT);
            forget(RECONNECT_BUFFER_SIZE);
            this.reconnect = policy;
            return this;
        }

        /** Connection name shown by the server (default {@code sluice}). */
        public Builder connectionName(String name) {
            forget(CONNECTION_NAME);
            this.connectionName = name;
            return this;
        }

        /** Messages each connection may queue for sending, 1,000-10,000,000 (default 65,536). */
        public Builder maxPendingMessages(int messages) {
            this.maxPendingMessages = messages;
            return this;
        }

        /** How often round-trip time is measured, 0 (never) or 100ms-1h (default 30s). */
        public Builder roundTripInterval(Duration interval) {
            this.roundTripInterval = interval;
            return this;
        }

        /** Connection events kept for slow or late subscribers, 16-65,536 (default 256). */
        public Builder eventBufferSize(int events) {
            this.eventBufferSize = events;
            return this;
        }

        /** Prefix of every bucket name on the server: letters, digits, '-' and '_' (default none). */
        public Builder bucketPrefix(String prefix) {
            forget(BUCKET_PREFIX);
            this.bucketPrefix = prefix;
            return this;
        }

        /** Changes the defaults that buckets added by name ({@link #bucket(String)}, NATS_KV_BUCKETS) start from. */
        public Builder bucketDefaults(Consumer<KvBucketConfig.Builder> change) {
            change.accept(bucketDefaults);
            return this;
        }

        /** Adds a bucket with the bucket defaults. */
        public Builder bucket(String name) {
            return bucket(name, b -> {
            });
        }

        /** Adds a bucket starting from the bucket defaults, changed by {@code change}. */
        public Builder bucket(String name, Consumer<KvBucketConfig.Builder> change) {
            bucketSpecs.add(new BucketSpec(name, Objects.requireNonNull(change, "change"), null));
            return this;
        }

        /** Adds a bucket with exactly these settings. */
        public Builder bucket(KvBucketConfig bucket) {
            Objects.requireNonNull(bucket, "bucket");
            bucketSpecs.add(new BucketSpec(bucket.name(), null, bucket));
            return this;
        }

        /**
         * Applies the variables found in {@code env} (see {@link NatsConfig}); values that cannot be used are
         * reported by {@link #build()} together with every other problem, and unknown {@code NATS_} variables are
         * logged as warnings.
         */
        public Builder environment(Map<String, String> env) {
            return environment(Environment.of(env));
        }

        /** Like {@link #environment(Map)}, keeping the warnings in {@code env}'s {@link Environment#warnings()}. */
        public Builder environment(Environment env) {
            read(env, SERVERS, this::servers);
            read(env, CREDENTIALS_FILE, this::credentialsFile);
            read(env, TLS_CERTIFICATE, v -> tlsCertificate = v);
            read(env, TLS_KEY, v -> tlsKey = v);
            read(env, CA_CERTIFICATE, this::caCertificate);
            read(env, USER, v -> user = v);
            read(env, PASSWORD, v -> password = v);
            read(env, TOKEN, this::token);
            read(env, NKEY_FILE, this::nkeyFile);
            read(env, CONNECT_TIMEOUT, this::connectTimeout);
            read(env, REQUEST_TIMEOUT, this::requestTimeout);
            read(env, CONNECTIONS, this::connections);
            read(env, RECONNECT_ATTEMPTS, v -> reconnect = reconnect.withMaxAttempts(v));
            read(env, RECONNECT_WAIT, v -> reconnect = reconnect.withDelay(v));
            read(env, RECONNECT_BUFFER_SIZE, v -> reconnect = reconnect.withBufferSize(v));
            read(env, CONNECTION_NAME, this::connectionName);
            read(env, BUCKET_PREFIX, this::bucketPrefix);
            read(env, KvBucketConfig.TTL, bucketDefaults::ttl);
            read(env, KvBucketConfig.REPLICAS, bucketDefaults::replicas);
            read(env, KvBucketConfig.MAX_BUCKET_SIZE, bucketDefaults::maxBucketSize);
            read(env, KvBucketConfig.MAX_VALUE_SIZE_SETTING, bucketDefaults::maxValueSize);
            read(env, KvBucketConfig.HISTORY, bucketDefaults::history);
            read(env, KvBucketConfig.STORAGE, bucketDefaults::storage);
            read(env, KvBucketConfig.ON_MISMATCH, bucketDefaults::onMismatch);
            read(env, BUCKETS, names -> names.forEach(this::bucket));
            env.warnUnknown(PREFIX, knownVariables(), name -> false);
            return this;
        }

        private <T> void read(Environment env, Setting<T> setting, Consumer<T> apply) {
            String variable = PREFIX + setting.envSuffix();
            String alias = CLI_ALIASES.get(variable);
            String[] aliases = alias == null ? new String[0] : new String[]{alias};
            Problems problems = new Problems("");
            Optional<T> value = env.read(problems, "", setting, variable, aliases);
            if (!problems.isEmpty()) {
                environmentProblems.addAll(problems.list());
                return;
            }
            value.ifPresent(v -> {
                apply.accept(v);
                env.sourceOf(variable, aliases).ifPresent(source -> sources.put(setting.name(), source));
            });
        }

        private void forget(Setting<?> setting) {
            environmentProblems.removeIf(problem -> problem.setting().equals(setting.name()));
            sources.remove(setting.name());
        }

        /**
         * Validates every setting and builds the configuration.
         *
         * @throws ConfigException listing each invalid setting with its value and the accepted range
         */
        public NatsConfig build() {
            List<ConfigProblem> problems = new ArrayList<>(environmentProblems);
            Set<String> failed = new HashSet<>();
            environmentProblems.forEach(problem -> failed.add(problem.setting()));
            Checker check = new Checker(problems, failed);
            check.value(SERVERS, servers);
            check.value(CREDENTIALS_FILE, credentialsFile);
            check.value(TLS_CERTIFICATE, tlsCertificate);
            check.value(TLS_KEY, tlsKey);
            check.value(CA_CERTIFICATE, caCertificate);
            boolean certificateSet = tlsCertificate != null || failed.contains(TLS_CERTIFICATE.name());
            boolean keySet = tlsKey != null || failed.contains(TLS_KEY.name());
            if (certificateSet != keySet) {
                check.rule(certificateSet ? TLS_KEY : TLS_CERTIFICATE, null,
                        "tlsCertificate (NATS_TLS_CERT) and tlsKey (NATS_TLS_KEY) go together: set both for mutual TLS, or neither");
            }
            check.value(USER, user);
            check.value(NKEY_FILE, nkeyFile);
            boolean userSet = user != null || failed.contains(USER.name());
            boolean passwordSet = password != null || failed.contains(PASSWORD.name());
            if (userSet != passwordSet) {
                check.rule(userSet ? PASSWORD : USER, null,
                        "user (NATS_USER) and password (NATS_PASSWORD) go together: set both for user/password authentication, or neither");
            }
            List<String> ways = new ArrayList<>();
            if (credentialsFile != null) {
                ways.add("credentialsFile (" + variableOf(CREDENTIALS_FILE) + ")");
            }
            if (user != null || password != null) {
                ways.add("user/password (" + variableOf(USER) + ", " + variableOf(PASSWORD) + ")");
            }
            if (token != null) {
                ways.add("token (" + variableOf(TOKEN) + ")");
            }
            if (nkeyFile != null) {
                ways.add("nkeyFile (" + variableOf(NKEY_FILE) + ")");
            }
            if (ways.size() > 1) {
                problems.add(new ConfigProblem("", "authentication", null, String.join(" and ", ways),
                        "choose one way to authenticate: a .creds file, a user and password, a token or an NKey seed file"));
            }
            check.value(CONNECT_TIMEOUT, connectTimeout);
            check.value(REQUEST_TIMEOUT, requestTimeout);
            check.value(CONNECTIONS, connections);
            if (reconnect == null) {
                problems.add(ConfigProblem.of("", "reconnect", null, "use ReconnectPolicy.DEFAULT or your own"));
            } else {
                check.value(RECONNECT_ATTEMPTS, reconnect.maxAttempts());
                check.value(RECONNECT_WAIT, reconnect.delay());
                check.value(RECONNECT_JITTER, reconnect.jitter());
                check.value(RECONNECT_BUFFER_SIZE, reconnect.bufferSize());
            }
            check.value(CONNECTION_NAME, connectionName);
            check.value(MAX_PENDING_MESSAGES, maxPendingMessages);
            check.value(ROUND_TRIP_INTERVAL, roundTripInterval);
            check.value(EVENT_BUFFER_SIZE, eventBufferSize);
            check.value(BUCKET_PREFIX, bucketPrefix);
            List<ConfigProblem> defaultProblems = attribute(bucketDefaults.problems("bucket defaults", false));
            problems.addAll(defaultProblems.stream().filter(problem -> !failed.contains(problem.setting())).toList());
            List<KvBucketConfig> buckets = new ArrayList<>();
            Set<String> names = new HashSet<>();
            for (BucketSpec spec : bucketSpecs) {
                if (spec.explicit() == null && !defaultProblems.isEmpty()) {
                    continue;
                }
                KvBucketConfig.Builder b = spec.explicit() != null ? spec.explicit().toBuilder() : bucketDefaults.copy().name(spec.name());
                if (spec.change() != null) {
                    spec.change().accept(b);
                }
                List<ConfigProblem> bucketProblems = b.problems();
                if (bucketProblems.isEmpty()) {
                    KvBucketConfig bucket = b.build();
                    if (!names.add(bucket.name())) {
                        problems.add(ConfigProblem.of("bucket '" + bucket.name() + "'", "name", bucket.name(),
                                "is configured twice: give each bucket one configuration"));
                    }
                    buckets.add(bucket);
                } else {
                    problems.addAll(spec.explicit() == null ? attribute(bucketProblems) : bucketProblems);
                }
            }
            if (!problems.isEmpty()) {
                throw new ConfigException(problems.stream().distinct().toList());
            }
            return new NatsConfig(this, buckets);
        }

        private String variableOf(Setting<?> setting) {
            return sources.getOrDefault(setting.name(), PREFIX + setting.envSuffix());
        }

        /** Names the variable of bucket-default settings that came from the environment. */
        private List<ConfigProblem> attribute(List<ConfigProblem> problems) {
            return problems.stream().map(problem -> {
                String source = sources.get(problem.setting());
                return source == null ? problem : problem.fromVariable(source);
            }).toList();
        }

        /** Checks values against their declarations, naming the variable a value came from. */
        private final class Checker {
            private final List<ConfigProblem> problems;
            private final Set<String> failed;

            Checker(List<ConfigProblem> problems, Set<String> failed) {
                this.problems = problems;
                this.failed = failed;
            }

            <T> void value(Setting<T> setting, T value) {
                if (failed.contains(setting.name())) {
                    return;
                }
                String fix = setting.problem(value);
                if (fix != null) {
                    rule(setting, value, fix);
                }
            }

            <T> void rule(Setting<T> setting, T value, String fix) {
                problems.add(new ConfigProblem("", setting.name(), sources.get(setting.name()),
                        value == null ? null : setting.show(value), fix));
            }
        }

        private record BucketSpec(String name, Consumer<KvBucketConfig.Builder> change, KvBucketConfig explicit) {
        }
    }
}
