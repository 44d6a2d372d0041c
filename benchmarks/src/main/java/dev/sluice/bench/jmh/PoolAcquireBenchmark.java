package dev.sluice.bench.jmh;

import dev.sluice.pool.PgPool;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Connection;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Acquire, use and release of one pooled connection over {@link InMemoryConnectionFactory}: the pool's own cost,
 * with no network. {@code pool} chooses the variant:
 * <ul>
 *   <li>{@code r2dbc-pool}: raw r2dbc-pool, {@code usingWhen(pool.create(), work, Connection::close)};</li>
 *   <li>{@code sluice}: Sluice's {@code PgPool} itself over the same factory ({@link InMemoryPools#sluice});</li>
 *   <li>{@code sluice-no-breaker}: the same without its circuit breaker, to show what the breaker costs.</li>
 * </ul>
 * One thread, and two threads sharing the pool (the contended case on a two-core machine).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class PoolAcquireBenchmark {

    private static final int POOL_SIZE = 8;
    private static final Duration SETUP_WAIT = Duration.ofSeconds(10);

    /** The variant. */
    @Param({"r2dbc-pool", "sluice", "sluice-no-breaker"})
    public String pool;

    private ConnectionPool raw;
    private PgPool sluice;

    /** Opens the pool and its connections. */
    @Setup(Level.Trial)
    public void open() {
        InMemoryConnectionFactory factory = new InMemoryConnectionFactory();
        switch (pool) {
            case "r2dbc-pool" -> {
                raw = InMemoryPools.raw(factory, POOL_SIZE);
                raw.warmup().block(SETUP_WAIT);
            }
            case "sluice" -> sluice = InMemoryPools.sluice(factory, POOL_SIZE, true);
            case "sluice-no-breaker" -> sluice = InMemoryPools.sluice(factory, POOL_SIZE, false);
            default -> throw new IllegalArgumentException("unknown pool variant " + pool);
        }
        if (sluice != null) {
            sluice.warmup().block(SETUP_WAIT);
        }
    }

    /** Closes the pool. */
    @TearDown(Level.Trial)
    public void close() {
        if (raw != null) {
            raw.dispose();
        }
        if (sluice != null) {
            sluice.stop().block(SETUP_WAIT);
        }
    }

    /** One acquire, a trivial use, one release, on one thread. */
    @Benchmark
    @Threads(1)
    public Object acquireRelease() {
        return once();
    }

    /** The same with two threads sharing the pool. */
    @Benchmark
    @Threads(2)
    public Object acquireReleaseTwoThreads() {
        return once();
    }

    private Object once() {
        if (raw != null) {
            return Flux.usingWhen(raw.create(), PoolAcquireBenchmark::use, Connection::close).blockLast();
        }
        return sluice.withConnection(PoolAcquireBenchmark::use).blockLast();
    }

    private static Mono<Boolean> use(Connection connection) {
        return Mono.just(connection.isAutoCommit());
    }
}
