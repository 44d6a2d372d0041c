package dev.sluice.bench.system;

import dev.sluice.pool.PgPool;
import dev.sluice.pool.PoolRegistry;
import dev.sluice.pool.RegistryConfig;
import dev.sluice.pool.kv.KvStore;
import dev.sluice.pool.kv.NatsConfig;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The three operations of the saga scenario: two KV puts (a reservation and a payment record, 100 bytes each, keys
 * unique to the caller's n-th operation) and one PostgreSQL insert. Sluice's systems open a registry with the same pool
 * and bucket for each turn; DBOS's opens the same database and bucket through HikariCP and jnats.
 */
public record SagaWorkload(PgPoolSettings settings, String natsUrl, String bucket, String table) {

    /** The value written by both KV operations. */
    public static final byte[] VALUE = "x".repeat(100).getBytes(StandardCharsets.UTF_8);
    static final Duration OPEN_WAIT = Duration.ofSeconds(60);

    /** Opens and starts a registry with the scenario's pool ({@code bench}) and bucket. */
    public PoolRegistry open() {
        PoolRegistry registry = PoolRegistry.create(RegistryConfig.builder()
                .pool(settings.sluice("bench"))
                .kv(NatsConfig.builder().servers(natsUrl.split(",")).connectionName("bench-saga").bucket(bucket).build())
                .capacityCheck(false)
                .build());
        registry.start().block(OPEN_WAIT);
        return registry;
    }

    /** The pool of {@code registry}. */
    public PgPool pool(PoolRegistry registry) {
        return registry.pool("bench");
    }

    /** The bucket of {@code registry}. */
    public KvStore store(PoolRegistry registry) {
        return registry.kv(bucket);
    }

    /** The insert of one operation. */
    public String insert() {
        return "INSERT INTO " + table + " (ref) VALUES ($1)";
    }

    /** The same insert for JDBC. */
    public String jdbcInsert() {
        return "INSERT INTO " + table + " (ref) VALUES (?)";
    }
}
