package dev.sluice.pool.kv;

import dev.sluice.pool.LatencySummary;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.testkit.NatsServer;
import dev.sluice.testkit.SluiceServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KvStoreContractTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private static NatsServer nats;
    private static KvStores stores;
    private static KvStore kv;
    private static String prefix;

    record Order(String id, int quantity) {
    }

    @BeforeAll
    static void start() {
        nats = SluiceServers.nats();
        prefix = nats.uniqueName("contract") + "-";
        stores = KvStores.create(NatsConfig.builder()
                .servers(nats.url())
                .bucketPrefix(prefix)
                .bucket("main", b -> b.history(10).storage(KvStorage.MEMORY))
                .bucket("other", b -> b.storage(KvStorage.MEMORY))
                .build());
        stores.start().block(WAIT);
        kv = stores.store("main");
    }

    @AfterAll
    static void stop() {
        if (stores != null) {
            stores.close();
        }
    }

    @Test
    void putThenGetReturnsTheValueWithItsRevision() {
        long revision = kv.put("put.get", "hello").block(WAIT);
        StepVerifier.create(kv.get("put.get"))
                .assertNext(entry -> {
                    assertThat(entry.valueAsString()).isEqualTo("hello");
                    assertThat(entry.revision()).isEqualTo(revision);
                    assertThat(entry.key()).isEqualTo("put.get");
                    assertThat(entry.bucket()).isEqualTo(prefix + "main");
                    assertThat(entry.operation()).isEqualTo(KvEntry.Operation.PUT);
                    assertThat(entry.created()).isNotNull();
                })
                .verifyComplete();
    }

    @Test
    void putReturnsIncreasingRevisionsAndBytesRoundTrip() {
        byte[] bytes = {0, 1, 2, (byte) 0xff};
        long first = kv.put("bytes", bytes).block(WAIT);
        long second = kv.put("bytes", bytes).block(WAIT);
        assertThat(second).isGreaterThan(first);
        assertThat(kv.get("bytes").block(WAIT).value()).containsExactly(bytes);
    }

    @Test
    void getOfAnAbsentKeyCompletesEmpty() {
        StepVerifier.create(kv.get("never.written")).verifyComplete();
    }

    @Test
    void operationsAreColdNothingIsSentBeforeSubscription() {
        Mono<Long> put = kv.put("cold", "v");
        StepVerifier.create(kv.get("cold")).verifyComplete();
        long first = put.block(WAIT);
        long second = put.block(WAIT);
        assertThat(second).isGreaterThan(first);
    }

    @Test
    void getByRevisionReturnsThatRevisionOnlyForItsKey() {
        long one = kv.put("rev", "one").block(WAIT);
        long two = kv.put("rev", "two").block(WAIT);
        long otherKey = kv.put("rev.other", "x").block(WAIT);
        StepVerifier.create(kv.get("rev", one)).assertNext(e -> assertThat(e.valueAsString()).isEqualTo("one")).verifyComplete();
        StepVerifier.create(kv.get("rev", two)).assertNext(e -> assertThat(e.valueAsString()).isEqualTo("two")).verifyComplete();
        StepVerifier.create(kv.get("rev", otherKey)).verifyComplete();
        StepVerifier.create(kv.get("rev", otherKey + 1_000_000)).verifyComplete();
    }

    @Test
    void createWritesAnAbsentKeyAndFailsWithKeyExistsWhenItHoldsAValue() {
        long revision = kv.create("create.once", "first").block(WAIT);
        assertThat(revision).isPositive();
        StepVerifier.create(kv.create("create.once", "second"))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(KeyExistsException.class).hasMessageContaining("create.once").hasMessageContaining(prefix + "main");
                    KeyExistsException exists = (KeyExistsException) e;
                    assertThat(exists.key()).isEqualTo("create.once");
                    assertThat(exists.operation()).isEqualTo(KvOperation.CREATE);
                })
                .verify(WAIT);
        assertThat(kv.get("create.once").block(WAIT).valueAsString()).isEqualTo("first");
    }

    @Test
    void createSucceedsOnADeletedOrPurgedKey() {
        kv.put("create.deleted", "v").block(WAIT);
        kv.delete("create.deleted").block(WAIT);
        assertThat(kv.create("create.deleted", "again").block(WAIT)).isPositive();
        kv.purge("create.deleted").block(WAIT);
        assertThat(kv.create("create.deleted", "third").block(WAIT)).isPositive();
        assertThat(kv.get("create.deleted").block(WAIT).valueAsString()).isEqualTo("third");
    }

    @Test
    void updateWithTheLastRevisionSucceedsAndWithAnotherFailsCarryingTheExpectedRevision() {
        long first = kv.put("cas", "a").block(WAIT);
        long second = kv.update("cas", "b", first).block(WAIT);
        assertThat(second).isGreaterThan(first);
        StepVerifier.create(kv.update("cas", "c", first))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(WrongRevisionException.class).hasMessageContaining("expected revision " + first);
                    assertThat(((WrongRevisionException) e).expectedRevision()).isEqualTo(first);
                    assertThat(((WrongRevisionException) e).operation()).isEqualTo(KvOperation.UPDATE);
                })
                .verify(WAIT);
        assertThat(kv.get("cas").block(WAIT).valueAsString()).isEqualTo("b");
    }

    @Test
    void updateExpectingRevisionZeroCreatesOnlyAnAbsentKey() {
        assertThat(kv.update("cas.zero", "v", 0).block(WAIT)).isPositive();
        StepVerifier.create(kv.update("cas.zero", "w", 0)).expectError(WrongRevisionException.class).verify(WAIT);
    }

    @Test
    void fiftyConcurrentUpdatesWithTheSameExpectedRevisionHaveExactlyOneWinner() {
        long base = kv.put("race", "start").block(WAIT);
        List<Object> outcomes = Flux.range(0, 50)
                .flatMap(i -> kv.update("race", "writer-" + i, base).<Object>map(r -> r).onErrorResume(Mono::just), 50)
                .collectList()
                .block(WAIT);
        assertThat(outcomes).hasSize(50);
        List<Long> winners = outcomes.stream().filter(o -> o instanceof Long).map(o -> (Long) o).toList();
        assertThat(winners).hasSize(1);
        assertThat(outcomes).filteredOn(o -> !(o instanceof Long))
                .hasSize(49)
                .allSatisfy(o -> assertThat(o).isInstanceOf(WrongRevisionException.class));
        KvEntry last = kv.get("race").block(WAIT);
        assertThat(last.revision()).isEqualTo(winners.get(0));
        assertThat(stores.stats().stores().get("main").errors()).containsKey(KvErrorKind.WRONG_REVISION);
    }

    @Test
    void deleteHidesTheKeyAndKeepsHistory() {
        long put = kv.put("del", "v").block(WAIT);
        long marker = kv.delete("del").block(WAIT);
        assertThat(marker).isGreaterThan(put);
        StepVerifier.create(kv.get("del")).verifyComplete();
        StepVerifier.create(kv.get("del", marker)).verifyComplete();
        StepVerifier.create(kv.history("del"))
                .assertNext(e -> assertThat(e.operation()).isEqualTo(KvEntry.Operation.PUT))
                .assertNext(e -> {
                    assertThat(e.operation()).isEqualTo(KvEntry.Operation.DELETE);
                    assertThat(e.revision()).isEqualTo(marker);
                    assertThat(e.isDeleted()).isTrue();
                })
                .verifyComplete();
    }

    @Test
    void deleteWithExpectedRevisionIsCompareAndSet() {
        long first = kv.put("del.cas", "a").block(WAIT);
        kv.put("del.cas", "b").block(WAIT);
        StepVerifier.create(kv.delete("del.cas", first))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(WrongRevisionException.class, w -> {
                    assertThat(w.expectedRevision()).isEqualTo(first);
                    assertThat(w.operation()).isEqualTo(KvOperation.DELETE);
                }))
                .verify(WAIT);
        long current = kv.get("del.cas").block(WAIT).revision();
        assertThat(kv.delete("del.cas", current).block(WAIT)).isGreaterThan(current);
        StepVerifier.create(kv.get("del.cas")).verifyComplete();
    }

    @Test
    void purgeRemovesEveryEarlierRevision() {
        kv.put("purge", "1").block(WAIT);
        kv.put("purge", "2").block(WAIT);
        long marker = kv.purge("purge").block(WAIT);
        StepVerifier.create(kv.get("purge")).verifyComplete();
        StepVerifier.create(kv.history("purge"))
                .assertNext(e -> {
                    assertThat(e.operation()).isEqualTo(KvEntry.Operation.PURGE);
                    assertThat(e.revision()).isEqualTo(marker);
                })
                .verifyComplete();
    }

    @Test
    void historyListsEveryKeptRevisionOldestFirst() {
        for (int i = 1; i <= 3; i++) {
            kv.put("hist", "v" + i).block(WAIT);
        }
        StepVerifier.create(kv.history("hist").map(KvEntry::valueAsString)).expectNext("v1", "v2", "v3").verifyComplete();
        StepVerifier.create(kv.history("hist.never")).verifyComplete();
    }

    @Test
    void keysListsKeysHoldingAValueOptionallyFiltered() {
        KvStore other = stores.store("other");
        other.put("a.1", "x").block(WAIT);
        other.put("a.2", "x").block(WAIT);
        other.put("b.1", "x").block(WAIT);
        other.put("a.3", "x").block(WAIT);
        other.delete("a.3").block(WAIT);
        assertThat(other.keys().collectList().block(WAIT)).containsExactlyInAnyOrder("a.1", "a.2", "b.1");
        assertThat(other.keys("a.*").collectList().block(WAIT)).containsExactlyInAnyOrder("a.1", "a.2");
        StepVerifier.create(other.keys("none.>")).verifyComplete();
    }

    @Test
    void invalidKeysFailBeforeAnythingIsSent() {
        StepVerifier.create(kv.put("bad key", "v")).expectError(IllegalArgumentException.class).verify(WAIT);
        StepVerifier.create(kv.get("wild.*")).expectError(IllegalArgumentException.class).verify(WAIT);
        StepVerifier.create(kv.update("k", "v", -1)).expectError(IllegalArgumentException.class).verify(WAIT);
    }

    @Test
    void jacksonCodecStoresUserTypesAsJson() {
        TypedKvStore<Order> orders = kv.typed(JacksonKvCodec.of(new ObjectMapper(), Order.class));
        long revision = orders.create("order.1", new Order("o-1", 3)).block(WAIT);
        assertThat(orders.get("order.1").block(WAIT)).isEqualTo(new Order("o-1", 3));
        assertThat(new String(kv.get("order.1").block(WAIT).value(), StandardCharsets.UTF_8)).contains("\"quantity\":3");
        orders.update("order.1", new Order("o-1", 4), revision).block(WAIT);
        assertThat(orders.get("order.1").block(WAIT).quantity()).isEqualTo(4);
        kv.put("order.broken", "not json").block(WAIT);
        StepVerifier.create(orders.get("order.broken"))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(KvCodecException.class).hasMessageContaining("order.broken"))
                .verify(WAIT);
    }

    @Test
    void operationsOnADeletedBucketFailWithBucketNotFound() throws Exception {
        String bucket = nats.uniqueName("gone");
        try (KvStores own = KvStores.create(NatsConfig.builder().servers(nats.url()).requestTimeout(Duration.ofSeconds(1))
                .bucket(bucket, b -> b.storage(KvStorage.MEMORY)).build())) {
            own.start().block(WAIT);
            KvStore store = own.store(bucket);
            store.put("k", "v").block(WAIT);
            try (io.nats.client.Connection nc = io.nats.client.Nats.connect(nats.url())) {
                nc.keyValueManagement().delete(bucket);
            }
            StepVerifier.create(store.put("k", "v")).expectError(BucketNotFoundException.class).verify(WAIT);
            StepVerifier.create(store.get("k")).expectErrorSatisfies(e -> assertThat(e)
                    .isInstanceOf(BucketNotFoundException.class).hasMessageContaining(bucket)).verify(WAIT);
            StepVerifier.create(store.status()).expectError(BucketNotFoundException.class).verify(WAIT);
            assertThat(store.stats().errors().get(KvErrorKind.BUCKET_NOT_FOUND)).isEqualTo(3);
        }
    }

    @Test
    void statsCountOperationsErrorsAndLatency() {
        kv.put("stats", "v").block(WAIT);
        kv.get("stats").block(WAIT);
        kv.create("stats", "v").onErrorResume(e -> Mono.empty()).block(WAIT);
        KvStoreStats stats = stores.stats().stores().get("main");
        assertThat(stats.operations().get(KvOperation.PUT)).isPositive();
        assertThat(stats.operations().get(KvOperation.GET)).isPositive();
        assertThat(stats.errors().get(KvErrorKind.KEY_EXISTS)).isPositive();
        LatencySummary puts = stats.latencies().get(KvOperation.PUT);
        assertThat(puts.count()).isPositive();
        assertThat(puts.p50()).isPositive().isLessThanOrEqualTo(puts.p99());
        assertThat(puts.p99()).isLessThanOrEqualTo(puts.max());
    }

    @Test
    void connectionStatsShowStatusAndRoundTripMeasuredWithoutBlocking() {
        List<Duration> rtts = stores.measureRoundTrips().block(WAIT);
        assertThat(rtts).hasSize(1).allSatisfy(rtt -> assertThat(rtt).isPositive());
        ConnectionStats connection = stores.stats().connections().get(0);
        assertThat(connection.status()).isEqualTo("CONNECTED");
        assertThat(connection.server()).contains("127.0.0.1");
        assertThat(connection.reconnects()).isZero();
        assertThat(connection.roundTrip()).isPresent();
    }

    @Test
    void operationsAreSpreadOverThePoolsConnections() {
        String bucket = nats.uniqueName("spread");
        try (KvStores pooled = KvStores.create(NatsConfig.builder().servers(nats.url()).connections(3)
                .bucket(bucket, b -> b.storage(KvStorage.MEMORY)).build())) {
            pooled.start().block(WAIT);
            KvStore store = pooled.store(bucket);
            Flux.range(0, 30).concatMap(i -> store.put("k" + i, "v")).blockLast(WAIT);
            assertThat(pooled.stats().connections()).hasSize(3).allSatisfy(c -> {
                assertThat(c.status()).isEqualTo("CONNECTED");
                assertThat(c.operations()).isEqualTo(10);
                assertThat(c.inFlight()).isZero();
            });
        }
    }

    @Test
    void storeNamesAreCheckedAndStartIsIdempotent() {
        assertThatThrownBy(() -> stores.store("missing"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing").hasMessageContaining("main");
        StepVerifier.create(stores.start()).verifyComplete();
        assertThat(stores.stores()).containsOnlyKeys("main", "other");
    }

    @Test
    void afterCloseOperationsFailWithNotConnectedAndWatchesComplete() throws Exception {
        String bucket = nats.uniqueName("closing");
        KvStores own = KvStores.create(NatsConfig.builder().servers(nats.url()).bucket(bucket, b -> b.storage(KvStorage.MEMORY)).build());
        assertThatThrownBy(() -> own.store(bucket)).isInstanceOf(IllegalStateException.class).hasMessageContaining("start()");
        own.start().block(WAIT);
        KvStore store = own.store(bucket);
        CountDownLatch watching = new CountDownLatch(1);
        Mono<List<KvEntry>> watched = store.watch(">").doOnNext(e -> watching.countDown()).collectList().cache();
        watched.subscribe();
        store.put("k", "v").block(WAIT);
        assertThat(watching.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        own.close();
        assertThat(watched.block(WAIT)).hasSize(1);
        StepVerifier.create(store.put("k", "v"))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(NotConnectedException.class).hasMessageContaining("closed"))
                .verify(WAIT);
        StepVerifier.create(own.start()).expectError(IllegalStateException.class).verify(WAIT);
        StepVerifier.create(own.events().map(NatsConnectionEvent::type).filter(t -> t == NatsConnectionEvent.Type.CLOSED))
                .expectNext(NatsConnectionEvent.Type.CLOSED).verifyComplete();
    }

    @Test
    void startFailsWithNotConnectedNamingTheServerWithoutCredentials() {
        KvStores unreachable = KvStores.create(NatsConfig.builder()
                .servers("nats://alice:s3cret@127.0.0.1:1")
                .connectTimeout(Duration.ofMillis(300))
                .build());
        StepVerifier.create(unreachable.start())
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(NotConnectedException.class)
                        .hasMessageContaining("127.0.0.1:1").hasMessageNotContaining("s3cret").hasMessageNotContaining("alice"))
                .verify(WAIT);
    }
}
