package dev.sluice.bench.jmh;

import dev.sluice.pool.kv.internal.KvHeaders;
import io.nats.client.PublishOptions;
import io.nats.client.impl.Headers;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What a Sluice KV write builds before jnats publishes it ({@link KvHeaders}, used by the KV store for every write):
 * {@code write} chooses which write.
 * <ul>
 *   <li>{@code update}: a compare-and-set, publish options with the expected revision;</li>
 *   <li>{@code update-with-id}: an idempotent compare-and-set, with expected revision and message id;</li>
 *   <li>{@code delete}: the {@code KV-Operation: DEL} marker's headers;</li>
 *   <li>{@code purge}: the purge marker's headers ({@code KV-Operation: PURGE}, {@code Nats-Rollup: sub}).</li>
 * </ul>
 * An unconditional put needs neither (its options are null). jnats then copies the headers and adds the options'
 * headers while publishing; that part is jnats' own and not measured here.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class KvHeadersBenchmark {

    /** The write. */
    @Param({"update", "update-with-id", "delete", "purge"})
    public String write;

    private long revision;
    private String messageId;
    private boolean marker;
    private boolean purge;

    /** Chooses the write's inputs once. */
    @Setup
    public void choose() {
        revision = write.startsWith("update") ? 41_337 : -1;
        messageId = write.equals("update-with-id") ? "order-41337-paid" : null;
        marker = write.equals("delete") || write.equals("purge");
        purge = write.equals("purge");
    }

    /** The headers and options of one write. */
    @Benchmark
    public Object build() {
        if (marker) {
            Headers headers = purge ? KvHeaders.purge() : KvHeaders.delete();
            return headers;
        }
        PublishOptions options = KvHeaders.publishOptions(revision, messageId);
        return options;
    }
}
