package dev.sluice.bench.jmh;

import dev.sluice.pool.CircuitBreakerPolicy;
import dev.sluice.pool.PgPool;
import dev.sluice.pool.PgPoolConfig;
import dev.sluice.pool.SslMode;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ValidationDepth;

import java.time.Duration;

/**
 * The two pools {@link PoolAcquireBenchmark} compares over the same in-memory factory, with the same settings: a
 * raw r2dbc-pool, and Sluice's {@link PgPool} itself (through {@link PgPool#create(PgPoolConfig, ConnectionFactory)}),
 * with or without its circuit breaker.
 */
final class InMemoryPools {

    private static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(5);

    private InMemoryPools() {
    }

    /** Raw r2dbc-pool of {@code size} connections, validated locally on checkout like Sluice's default. */
    static ConnectionPool raw(ConnectionFactory factory, int size) {
        return new ConnectionPool(ConnectionPoolConfiguration.builder(factory)
                .name("raw")
                .initialSize(size).minIdle(size).maxSize(size)
                .maxAcquireTime(ACQUIRE_TIMEOUT)
                .maxCreateConnectionTime(ACQUIRE_TIMEOUT)
                .maxValidationTime(Duration.ofSeconds(2))
                .maxIdleTime(Duration.ofMinutes(10))
                .maxLifeTime(Duration.ofMinutes(30))
                .backgroundEvictionInterval(Duration.ofSeconds(30))
                .acquireRetry(0)
                .validationDepth(ValidationDepth.LOCAL)
                .build());
    }

    /** Sluice's pool of {@code size} connections over {@code factory}, with its defaults otherwise. */
    static PgPool sluice(ConnectionFactory factory, int size, boolean breaker) {
        return PgPool.create(PgPoolConfig.builder("bench").user("bench").sslMode(SslMode.DISABLE)
                .minConnections(size).maxConnections(size).acquireTimeout(ACQUIRE_TIMEOUT)
                .circuitBreaker(breaker ? CircuitBreakerPolicy.DEFAULT : CircuitBreakerPolicy.DISABLED)
                .build(), factory);
    }
}
