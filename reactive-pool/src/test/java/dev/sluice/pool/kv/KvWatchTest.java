package dev.sluice.pool.kv;

import dev.sluice.testkit.NatsServer;
import dev.sluice.testkit.SluiceServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

class KvWatchTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private static KvStores stores;
    private static KvStore kv;

    @BeforeAll
    static void start() {
        NatsServer nats = SluiceServers.nats();
        stores = KvStores.create(NatsConfig.builder()
                .servers(nats.url())
                .bucket(nats.uniqueName("watch"), b -> b.history(10))
                .build());
        stores.start().block(WAIT);
        kv = stores.stores().values().iterator().next();
    }

    @AfterAll
    static void stop() {
        stores.close();
    }

    @Test
    void watchSeesPutsAndDeletesInRevisionOrder() {
        StepVerifier.create(kv.watch("order.>", WatchOptions.DEFAULT.withIncludeHistory()).take(5))
                .then(() -> Flux.concat(kv.put("order.a", "1"), kv.put("order.b", "1"), kv.delete("order.a"),
                        kv.put("order.a", "2"), kv.purge("order.b")).blockLast(WAIT))
                .assertNext(e -> assertEntry(e, "order.a", KvEntry.Operation.PUT, "1"))
                .assertNext(e -> assertEntry(e, "order.b", KvEntry.Operation.PUT, "1"))
                .assertNext(e -> assertEntry(e, "order.a", KvEntry.Operation.DELETE, ""))
                .assertNext(e -> assertEntry(e, "order.a", KvEntry.Operation.PUT, "2"))
                .assertNext(e -> assertEntry(e, "order.b", KvEntry.Operation.PURGE, ""))
                .verifyComplete();
    }

    @Test
    void revisionsOfAWatchIncreaseStrictly() {
        List<Long> revisions = kv.watch("seq.*", WatchOptions.DEFAULT.withIncludeHistory())
                .take(20)
                .map(KvEntry::revision)
                .doOnSubscribe(s -> Flux.range(0, 20).concatMap(i -> kv.put("seq." + (i % 3), "v" + i)).subscribe())
                .collectList()
                .block(WAIT);
        assertThat(revisions).hasSize(20).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void byDefaultAWatchStartsWithTheLastEntryOfEachKey() {
        kv.put("last.k", "old").block(WAIT);
        kv.put("last.k", "new").block(WAIT);
        kv.put("last.j", "only").block(WAIT);
        StepVerifier.create(kv.watch("last.*").take(2).map(e -> e.key() + "=" + e.valueAsString()))
                .expectNext("last.k=new", "last.j=only")
                .verifyComplete();
    }

    @Test
    void ignoreDeletesLeavesOutMarkers() {
        Flux.concat(kv.put("quiet.k", "1"), kv.delete("quiet.k"), kv.put("quiet.k", "2")).blockLast(WAIT);
        StepVerifier.create(kv.watch("quiet.k", WatchOptions.DEFAULT.withIncludeHistory().withIgnoreDeletes()).take(2).map(KvEntry::valueAsString))
                .expectNext("1", "2")
                .verifyComplete();
    }

    @Test
    void updatesOnlyStartsWithNothingAndCancelDeletesTheServerSideConsumer() {
        kv.put("fresh.k", "before").block(WAIT);
        long consumersBefore = kv.status().block(WAIT).consumers();
        List<KvEntry> seen = new CopyOnWriteArrayList<>();
        Disposable watch = kv.watch("fresh.k", WatchOptions.DEFAULT.withUpdatesOnly()).subscribe(seen::add);
        awaitConsumers(consumersBefore + 1);
        kv.put("fresh.k", "after").block(WAIT);
        awaitUntil(() -> !seen.isEmpty());
        assertThat(seen).extracting(KvEntry::valueAsString).containsExactly("after");
        assertThat(stores.stats().stores().values().iterator().next().watches()).isEqualTo(1);

        watch.dispose();
        awaitConsumers(consumersBefore);
        assertThat(stores.stats().stores().values().iterator().next().watches()).isZero();
    }

    @Test
    void completedScansLeaveNoConsumerBehind() {
        NatsServer nats = SluiceServers.nats();
        // a bucket of its own: the shared one may still be deleting the consumer of another test's cancelled watch
        try (KvStores own = KvStores.create(NatsConfig.builder().servers(nats.url()).bucket(nats.uniqueName("scan")).build())) {
            own.start().block(WAIT);
            KvStore scanned = own.stores().values().iterator().next();
            assertThat(scanned.status().block(WAIT).consumers()).isZero();
            scanned.put("scan.k", "v").block(WAIT);
            assertThat(scanned.keys("scan.*").collectList().block(WAIT)).containsExactly("scan.k");
            assertThat(scanned.history("scan.k").collectList().block(WAIT)).hasSize(1);
            Mono.defer(scanned::status)
                    .filter(s -> s.consumers() == 0)
                    .repeatWhenEmpty(r -> r.delayElements(Duration.ofMillis(50)))
                    .block(WAIT);
            assertThat(scanned.status().block(WAIT).consumers()).isZero();
        }
    }

    private static void awaitConsumers(long expected) {
        Mono.defer(() -> kv.status())
                .filter(s -> s.consumers() == expected)
                .repeatWhenEmpty(r -> r.delayElements(Duration.ofMillis(50)))
                .block(WAIT);
        assertThat(kv.status().block(WAIT).consumers()).isEqualTo(expected);
    }

    private static void awaitUntil(java.util.function.BooleanSupplier condition) {
        Mono.fromSupplier(condition::getAsBoolean)
                .filter(Boolean::booleanValue)
                .repeatWhenEmpty(r -> r.delayElements(Duration.ofMillis(20)))
                .block(WAIT);
    }

    private static void assertEntry(KvEntry entry, String key, KvEntry.Operation operation, String value) {
        assertThat(entry.key()).isEqualTo(key);
        assertThat(entry.operation()).isEqualTo(operation);
        assertThat(entry.valueAsString()).isEqualTo(value);
    }
}
