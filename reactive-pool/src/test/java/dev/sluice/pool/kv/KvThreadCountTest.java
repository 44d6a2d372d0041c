package dev.sluice.pool.kv;

import dev.sluice.testkit.NatsServer;
import dev.sluice.testkit.SluiceServers;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Operations do not take a thread each: 10,000 at once leave the live thread count nearly flat. */
class KvThreadCountTest {

    private static final int OPERATIONS = 10_000;

    @Test
    void tenThousandConcurrentOperationsKeepTheThreadCountFlat() throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int cores = Runtime.getRuntime().availableProcessors();
        NatsServer nats = SluiceServers.nats();
        AtomicInteger peak = new AtomicInteger();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                peak.accumulateAndGet(threads.getThreadCount(), Math::max);
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "thread-count-sampler");
        sampler.start();
        Thread.sleep(50);
        int baseline = threads.getThreadCount();
        peak.set(baseline);

        try (KvStores stores = KvStores.create(NatsConfig.builder()
                .servers(nats.url())
                .requestTimeout(Duration.ofSeconds(60))
                .bucket(nats.uniqueName("threads"), b -> b.storage(KvStorage.MEMORY))
                .build())) {
            stores.start().block(Duration.ofSeconds(10));
            KvStore kv = stores.stores().values().iterator().next();

            List<Object> results = Flux.range(0, OPERATIONS)
                    .flatMap(i -> operation(kv, i), OPERATIONS)
                    .collectList()
                    .block(Duration.ofMinutes(2));

            sampling.set(false);
            sampler.join();
            assertThat(results).hasSize(OPERATIONS);
            KvStoreStats stats = kv.stats();
            assertThat(stats.totalErrors()).isZero();
            assertThat(stats.totalOperations()).isEqualTo(OPERATIONS);
            LoggerFactory.getLogger(KvThreadCountTest.class).info("{} concurrent operations: threads {} before, {} at most; put p99 {}",
                    OPERATIONS, baseline, peak.get(), stats.latencies().get(KvOperation.PUT).p99());
            assertThat(peak.get() - baseline).as("threads added by the stores and %d concurrent operations", OPERATIONS)
                    .isLessThan(2 * cores + 16);
        } finally {
            sampling.set(false);
        }
    }

    private static Mono<Object> operation(KvStore kv, int i) {
        String key = "k." + (i % 500);
        Mono<?> op = switch (i % 4) {
            case 0, 1 -> kv.put(key, "value-" + i);
            case 2 -> kv.get(key).defaultIfEmpty(new KvEntry(kv.bucket(), key, null, 0, null, KvEntry.Operation.DELETE));
            default -> kv.create("c." + i, "v");
        };
        return op.map(v -> (Object) v);
    }
}
