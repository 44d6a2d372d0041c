package dev.sluice.pool.kv;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import static dev.sluice.pool.kv.ConfigValues.describeDuration;
import static dev.sluice.pool.kv.ConfigValues.label;

/**
 * Everything {@link KvStores} needs: the NATS servers and how to reach them (credentials, TLS, timeouts, a small
 * pool of connections, the {@link ReconnectPolicy}), and the KV buckets to provision. Immutable; built with
 * {@link #builder()} or loaded with {@link #fromEnvironment(Map)}, and validated in one place,
 * {@link Builder#build()}, which reports every invalid setting at once with its value and the accepted range.
 *
 * <p>Environment variables (blank counts as unset):
 * <table>
 *   <caption>Settings read by {@link #fromEnvironment(Map)}</caption>
 *   <tr><th>variable</th><th>setting</th><th>default</th></tr>
 *   <tr><td>NATS_SERVERS</td><td>comma-separated URLs, {@code nats://host:port}</td><td>{@code nats://127.0.0.1:4222}</td></tr>
 *   <tr><td>NATS_CREDS_FILE</td><td>a {@code .creds} file (JWT and NKey seed)</td><td>none</td></tr>
 *   <tr><td>NATS_TLS_CERT, NATS_TLS_KEY</td><td>client certificate and PKCS#8 key (PEM), for mutual TLS</td><td>none</td></tr>
 *   <tr><td>NATS_CA_CERT</td><td>CA certificate(s) (PEM) trusted for the server; enables TLS</td><td>none</td></tr>
 *   <tr><td>NATS_CONNECT_TIMEOUT</td><td>connect timeout ({@code 5s}, {@code 500ms}, {@code PT5S})</td><td>5s</td></tr>
 *   <tr><td>NATS_REQUEST_TIMEOUT</td><td>timeout of each KV operation</td><td>5s</td></tr>
 *   <tr><td>NATS_CONNECTIONS</td><td>connections in the pool, 1-16</td><td>1</td></tr>
 *   <tr><td>NATS_RECONNECT_ATTEMPTS, NATS_RECONNECT_WAIT, NATS_RECONNECT_BUFFER_SIZE</td><td>{@link ReconnectPolicy}</td><td>60, 2s, 8MB</td></tr>
 *   <tr><td>NATS_CONNECTION_NAME</td><td>name shown by the server</td><td>sluice</td></tr>
 *   <tr><td>NATS_KV_BUCKETS</td><td>comma-separated logical bucket names to provision with the defaults below</td><td>none</td></tr>
 *   <tr><td>NATS_KV_PREFIX</td><td>prefix of every bucket name on the server</td><td>none</td></tr>
 *   <tr><td>NATS_KV_TTL_MINUTES</td><td>entry TTL in minutes, 0 for none</td><td>0</td></tr>
 *   <tr><td>NATS_KV_REPLICAS</td><td>replicas, 1-5</td><td>1</td></tr>
 *   <tr><td>NATS_KV_MAX_SIZE</td><td>bucket size such as {@code 1GB}, -1 for unlimited</td><td>-1</td></tr>
 *   <tr><td>NATS_KV_MAX_VALUE_SIZE</td><td>value size such as {@code 1MB}, -1 for unlimited</td><td>-1</td></tr>
 *   <tr><td>NATS_KV_HISTORY</td><td>revisions kept per key, 1-64</td><td>1</td></tr>
 *   <tr><td>NATS_KV_STORAGE</td><td>{@code file} or {@code memory}</td><td>file</td></tr>
 *   <tr><td>NATS_KV_ON_MISMATCH</td><td>{@code fail} or {@code update}: what start does with a differing bucket</td><td>fail</td></tr>
 * </table>
 *
 * <p>{@link #toString()} and every message leave out credentials: the user part of server URLs is shown as
 * {@code ***} and the credentials file only as "set".
 */
public final class NatsConfig {

    /** Most connections a pool may hold. */
    public static final int MAX_CONNECTIONS = 16;

    private final List<String> servers;
    private final Path credentialsFile;
    private final Path tlsCertificate;
    private final Path tlsKey;
    private final Path caCertificate;
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
     * @throws NatsConfigException naming every invalid variable with its value and the accepted range
     */
    public static NatsConfig fromEnvironment(Map<String, String> env) {
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
        private List<String> servers = List.of("nats://127.0.0.1:4222");
        private Path credentialsFile;
        private Path tlsCertificate;
        private Path tlsKey;
        private Path caCertificate;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(5);
        private int connections = 1;
        private ReconnectPolicy reconnect = ReconnectPolicy.DEFAULT;
        private String connectionName = "sluice";
        private int maxPendingMessages = 65_536;
        private Duration roundTripInterval = Duration.ofSeconds(30);
        private int eventBufferSize = 256;
        private String bucketPrefix = "";
        private final KvBucketConfig.Builder bucketDefaults = KvBucketConfig.builder("defaults");
        private final List<BucketSpec> bucketSpecs = new ArrayList<>();
        private final Map<String, String> parseProblems = new LinkedHashMap<>();

        private Builder() {
        }

        /** Server URLs, {@code nats://host:port} (also {@code tls://}, {@code ws://}, {@code wss://}). */
        public Builder servers(List<String> servers) {
            parseProblems.remove("servers");
            this.servers = servers == null ? null : List.copyOf(servers);
            return this;
        }

        /** Server URLs, {@code nats://host:port}. */
        public Builder servers(String... servers) {
            return servers(Arrays.asList(servers));
        }

        /** A {@code .creds} file for JWT authentication; null for none. */
        public Builder credentialsFile(Path file) {
            this.credentialsFile = file;
            return this;
        }

        /** Client certificate and PKCS#8 key (PEM files) for mutual TLS; both or neither. */
        public Builder tlsClientCertificate(Path certificate, Path key) {
            this.tlsCertificate = certificate;
            this.tlsKey = key;
            return this;
        }

        /** CA certificate(s) (PEM) to trust for the server; enables TLS. */
        public Builder caCertificate(Path file) {
            this.caCertificate = file;
            return this;
        }

        /** Timeout of one connection attempt, 100ms-10m (default 5s). */
        public Builder connectTimeout(Duration timeout) {
            parseProblems.remove("connectTimeout");
            this.connectTimeout = timeout;
            return this;
        }

        /** Timeout of each KV operation, 10ms-10m (default 5s). */
        public Builder requestTimeout(Duration timeout) {
            parseProblems.remove("requestTimeout");
            this.requestTimeout = timeout;
            return this;
        }

        /** Connections in the pool, 1-16 (default 1). */
        public Builder connections(int connections) {
            parseProblems.remove("connections");
            this.connections = connections;
            return this;
        }

        /** The reconnect policy (default {@link ReconnectPolicy#DEFAULT}). */
        public Builder reconnect(ReconnectPolicy policy) {
            parseProblems.remove("reconnect.maxAttempts");
            parseProblems.remove("reconnect.delay");
            parseProblems.remove("reconnect.bufferSize");
            this.reconnect = policy;
            return this;
        }

        /** Connection name shown by the server (default {@code sluice}). */
        public Builder connectionName(String name) {
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
         * Applies the variables found in {@code env} (see {@link NatsConfig}); values that cannot be parsed are
         * reported by {@link #build()} together with every other problem.
         */
        public Builder environment(Map<String, String> env) {
            read(env, "NATS_SERVERS", "servers", v -> servers(Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList()));
            read(env, "NATS_CREDS_FILE", "credentialsFile", v -> credentialsFile(path(v)));
            read(env, "NATS_TLS_CERT", "tlsCertificate", v -> tlsCertificate = path(v));
            read(env, "NATS_TLS_KEY", "tlsKey", v -> tlsKey = path(v));
            read(env, "NATS_CA_CERT", "caCertificate", v -> caCertificate(path(v)));
            read(env, "NATS_CONNECT_TIMEOUT", "connectTimeout", v -> connectTimeout(ConfigValues.parseDuration(v)));
            read(env, "NATS_REQUEST_TIMEOUT", "requestTimeout", v -> requestTimeout(ConfigValues.parseDuration(v)));
            read(env, "NATS_CONNECTIONS", "connections", v -> connections(toInt(ConfigValues.parseLong(v))));
            read(env, "NATS_RECONNECT_ATTEMPTS", "reconnect.maxAttempts", v -> reconnect = reconnect.withMaxAttempts(toInt(ConfigValues.parseLong(v))));
            read(env, "NATS_RECONNECT_WAIT", "reconnect.delay", v -> reconnect = reconnect.withDelay(ConfigValues.parseDuration(v)));
            read(env, "NATS_RECONNECT_BUFFER_SIZE", "reconnect.bufferSize", v -> reconnect = reconnect.withBufferSize(ConfigValues.parseSize(v)));
            read(env, "NATS_CONNECTION_NAME", "connectionName", this::connectionName);
            read(env, "NATS_KV_PREFIX", "bucketPrefix", this::bucketPrefix);
            read(env, "NATS_KV_TTL_MINUTES", "ttl", v -> bucketDefaults.ttl(Duration.ofMinutes(ConfigValues.parseLong(v))));
            read(env, "NATS_KV_REPLICAS", "replicas", v -> bucketDefaults.replicas(toInt(ConfigValues.parseLong(v))));
            read(env, "NATS_KV_MAX_SIZE", "maxBucketSize", v -> bucketDefaults.maxBucketSize(ConfigValues.parseSize(v)));
            read(env, "NATS_KV_MAX_VALUE_SIZE", "maxValueSize", v -> bucketDefaults.maxValueSize(ConfigValues.parseSize(v)));
            read(env, "NATS_KV_HISTORY", "history", v -> bucketDefaults.history(toInt(ConfigValues.parseLong(v))));
            read(env, "NATS_KV_STORAGE", "storage", v -> bucketDefaults.storage(enumValue(KvStorage.class, v)));
            read(env, "NATS_KV_ON_MISMATCH", "onMismatch", v -> bucketDefaults.onMismatch(enumValue(MismatchPolicy.class, v)));
            read(env, "NATS_KV_BUCKETS", "buckets", v -> Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(this::bucket));
            return this;
        }

        /**
         * Validates every setting and builds the configuration.
         *
         * @throws NatsConfigException listing each invalid setting with its value and the accepted range
         */
        public NatsConfig build() {
            List<String> problems = new ArrayList<>(parseProblems.values());
            checkServers(problems);
            checkFile(problems, "credentialsFile", "NATS_CREDS_FILE", credentialsFile);
            checkFile(problems, "tlsCertificate", "NATS_TLS_CERT", tlsCertificate);
            checkFile(problems, "tlsKey", "NATS_TLS_KEY", tlsKey);
            checkFile(problems, "caCertificate", "NATS_CA_CERT", caCertificate);
            if ((tlsCertificate == null) != (tlsKey == null)) {
                problems.add("tlsCertificate (NATS_TLS_CERT) and tlsKey (NATS_TLS_KEY) go together: set both for mutual TLS, or neither");
            }
            if (!parseProblems.containsKey("connectTimeout")) {
                checkDuration(problems, "connectTimeout", "NATS_CONNECT_TIMEOUT", connectTimeout, Duration.ofMillis(100), Duration.ofMinutes(10), false);
            }
            if (!parseProblems.containsKey("requestTimeout")) {
                checkDuration(problems, "requestTimeout", "NATS_REQUEST_TIMEOUT", requestTimeout, Duration.ofMillis(10), Duration.ofMinutes(10), false);
            }
            if (!parseProblems.containsKey("connections") && (connections < 1 || connections > MAX_CONNECTIONS)) {
                problems.add(label("connections", "NATS_CONNECTIONS") + " = " + connections + " is out of range: 1 to " + MAX_CONNECTIONS);
            }
            checkReconnect(problems);
            if (connectionName == null || connectionName.isBlank() || connectionName.length() > 128) {
                problems.add(label("connectionName", "NATS_CONNECTION_NAME") + " = '" + connectionName + "' is invalid: 1 to 128 characters");
            }
            if (maxPendingMessages < 1_000 || maxPendingMessages > 10_000_000) {
                problems.add("maxPendingMessages = " + maxPendingMessages + " is out of range: 1000 to 10000000");
            }
            checkDuration(problems, "roundTripInterval", null, roundTripInterval, Duration.ofMillis(100), Duration.ofHours(1), true);
            if (eventBufferSize < 16 || eventBufferSize > 65_536) {
                problems.add("eventBufferSize = " + eventBufferSize + " is out of range: 16 to 65536");
            }
            if (bucketPrefix == null || bucketPrefix.length() > 64 || !(bucketPrefix.isEmpty() || KvBucketConfig.NAME.matcher(bucketPrefix).matches())) {
                problems.add(label("bucketPrefix", "NATS_KV_PREFIX") + " = '" + bucketPrefix
                        + "' is invalid: up to 64 letters, digits, '-' and '_'");
            }
            List<String> defaultProblems = bucketDefaults.problems("bucket defaults: ", false);
            problems.addAll(defaultProblems);
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
                List<String> bucketProblems = b.problems();
                if (bucketProblems.isEmpty()) {
                    KvBucketConfig bucket = b.build();
                    if (!names.add(bucket.name())) {
                        problems.add("bucket '" + bucket.name() + "' is configured twice: give each bucket one configuration");
                    }
                    buckets.add(bucket);
                } else {
                    problems.addAll(bucketProblems);
                }
            }
            if (!problems.isEmpty()) {
                throw new NatsConfigException(problems.stream().distinct().toList());
            }
            return new NatsConfig(this, buckets);
        }

        private void checkServers(List<String> problems) {
            if (parseProblems.containsKey("servers")) {
                return;
            }
            if (servers == null || servers.isEmpty()) {
                problems.add(label("servers", "NATS_SERVERS") + " is empty: give at least one URL such as nats://127.0.0.1:4222");
                return;
            }
            for (String server : servers) {
                String reason = server == null ? "is missing" : ConfigValues.checkServerUrl(server.trim());
                if (reason != null) {
                    problems.add(label("servers", "NATS_SERVERS") + " entry '" + (server == null ? null : ConfigValues.redactUrl(server)) + "' " + reason);
                }
            }
        }

        private void checkReconnect(List<String> problems) {
            if (reconnect == null) {
                problems.add("reconnect is missing: use ReconnectPolicy.DEFAULT or your own");
                return;
            }
            if (!parseProblems.containsKey("reconnect.maxAttempts") && (reconnect.maxAttempts() < -1 || reconnect.maxAttempts() > 100_000)) {
                problems.add(label("reconnect.maxAttempts", "NATS_RECONNECT_ATTEMPTS") + " = " + reconnect.maxAttempts()
                        + " is out of range: -1 (no limit), 0 (never reconnect) to 100000");
            }
            if (!parseProblems.containsKey("reconnect.delay")) {
                checkDuration(problems, "reconnect.delay", "NATS_RECONNECT_WAIT", reconnect.delay(), Duration.ZERO, Duration.ofMinutes(10), true);
            }
            checkDuration(problems, "reconnect.jitter", null, reconnect.jitter(), Duration.ZERO, Duration.ofMinutes(1), true);
            if (!parseProblems.containsKey("reconnect.bufferSize") && (reconnect.bufferSize() < 0 || reconnect.bufferSize() > 1024L * 1024 * 1024)) {
                problems.add(label("reconnect.bufferSize", "NATS_RECONNECT_BUFFER_SIZE") + " = " + reconnect.bufferSize()
                        + " is out of range: 0 (fail at once while disconnected) to 1GB");
            }
        }

        private static void checkDuration(List<String> problems, String name, String env, Duration value, Duration min, Duration max, boolean zeroAllowed) {
            if (value == null) {
                problems.add(label(name, env) + " is missing");
            } else if (!(zeroAllowed && value.isZero()) && (value.compareTo(min) < 0 || value.compareTo(max) > 0)) {
                problems.add(label(name, env) + " = " + describeDuration(value) + " is out of range: "
                        + (zeroAllowed && !min.isZero() ? "0 or " : "") + describeDuration(min) + " to " + describeDuration(max));
            }
        }

        private static void checkFile(List<String> problems, String name, String env, Path file) {
            if (file != null && !Files.isReadable(file)) {
                problems.add(label(name, env) + " = " + file + " is not a readable file: check the path and its permissions");
            }
        }

        private void read(Map<String, String> env, String variable, String setting, Consumer<String> apply) {
            String value = env.get(variable);
            if (value == null || value.isBlank()) {
                return;
            }
            try {
                apply.accept(value.trim());
            } catch (IllegalArgumentException e) {
                String shown = variable.equals("NATS_SERVERS") ? ConfigValues.redactUrl(value.trim()) : value.trim();
                parseProblems.put(setting, label(setting, variable) + " = '" + shown + "' " + e.getMessage());
            }
        }

        private record BucketSpec(String name, Consumer<KvBucketConfig.Builder> change, KvBucketConfig explicit) {
        }

        private static Path path(String value) {
            try {
                return Path.of(value);
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException("is not a file path (" + e.getReason() + ")");
            }
        }

        private static int toInt(long value) {
            if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("is too large");
            }
            return (int) value;
        }

        private static <E extends Enum<E>> E enumValue(Class<E> type, String value) {
            try {
                return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("is not one of " + Arrays.stream(type.getEnumConstants())
                        .map(c -> c.name().toLowerCase(Locale.ROOT)).toList());
            }
        }
    }
}
