package dev.sluice.bench.jmh;

import dev.sluice.pool.ErrorClass;
import dev.sluice.pool.SqlErrorClassifier;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTransientResourceException;
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
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * {@link SqlErrorClassifier#classify(Throwable)}, which runs for every failure a pool's circuit breaker and retry
 * policies see. {@code error} chooses what it is given:
 * <ul>
 *   <li>{@code sqlstate}: an R2DBC exception carrying SQLSTATE 40001, found at once;</li>
 *   <li>{@code wrapped}: a connection failure (08006) under two wrappers, found in the cause chain;</li>
 *   <li>{@code transport}: an {@link IOException} "Connection reset" under a driver exception without SQLSTATE;</li>
 *   <li>{@code unknown}: a chain of three exceptions none of which is known, the longest search.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class SqlErrorClassifierBenchmark {

    /** The error classified. */
    @Param({"sqlstate", "wrapped", "transport", "unknown"})
    public String error;

    private Throwable subject;

    /** Builds the error once; classifying does not change it. */
    @Setup(Level.Trial)
    public void build() {
        subject = switch (error) {
            case "sqlstate" -> new R2dbcTransientResourceException("could not serialize access", "40001");
            case "wrapped" -> new IllegalStateException("query failed",
                    new RuntimeException("statement failed", new R2dbcNonTransientResourceException("connection closed", "08006")));
            case "transport" -> new R2dbcNonTransientResourceException("statement failed", new IOException("Connection reset"));
            case "unknown" -> new IllegalArgumentException("bad", new UnsupportedOperationException("worse", new ArithmeticException("worst")));
            default -> throw new IllegalArgumentException("unknown error kind " + error);
        };
    }

    /** One classification. */
    @Benchmark
    public ErrorClass classify() {
        return SqlErrorClassifier.classify(subject);
    }
}
