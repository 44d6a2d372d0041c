package dev.sluice.pool.kv;

import dev.sluice.testkit.EmbeddedNats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.util.retry.Retry;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** NATS restarted under load: nothing hangs, failures are typed, the connection and a running watch come back. */
class KvRestartTest {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration HANG_GUARD = REQUEST_TIMEOUT.plusSeconds(3);

    private EmbeddedNats nats;
    private KvStores stores;

    @AfterEach
    void tearDown() {
        if (stores != null) {
            stores.close();
        }
        if (nats != null) {
            nats.close();
        }
    }

    @Test
    void serverRestartUnderLoadFailsInFlightOperationsWithTypedErrorsAndRecovers() throws Exception {
        nats = EmbeddedNats.start();
        stores = KvStores.create(NatsConfig.builder()
                .servers(nats.url())
                .requestTimeout(REQUEST_TIMEOUT)
                .reconnect(ReconnectPolicy.DEFAULT.withMaxAttempts(-1).withDelay(Duration.ofMillis(250)).withJitter(Duration.ofMillis(50)))
                .bucket("restart", b -> b.storage(KvStorage.FILE).history(5))
                .build());
        List<NatsConnectionEvent> events = new CopyOnWriteArrayList<>();
        Disposable eventLog = stores.events().subscribe(events::add);
        stores.start().block(Duration.ofSeconds(10));
        KvStore kv = stores.store("restart");

        List<KvEntry> watched = new CopyOnWriteArrayList<>();
        Disposable watch = kv.watch("marker", WatchOptions.DEFAULT.withUpdatesOnly().withHeartbeat(Duration.ofMillis(300))).subscribe(watched::add);
        awaitUntil(() -> kv.status().block(REQUEST_TIMEOUT).consumers() == 1, Duration.ofSeconds(10));
        kv.put("marker", "before").retryWhen(Retry.fixedDelay(20, Duration.ofMillis(100))).block(HANG_GUARD);
        awaitUntil(() -> watched.size() == 1, Duration.ofSeconds(10));

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong succeeded = new AtomicLong();
        AtomicLong hung = new AtomicLong();
        Map<Class<?>, AtomicLong> failures = new ConcurrentHashMap<>();
        Disposable load = Flux.range(0, 8)
                .flatMap(worker -> Flux.range(0, Integer.MAX_VALUE)
                        .takeWhile(i -> running.get())
                        .concatMap(i -> operation(kv, worker, i)
                                .timeout(HANG_GUARD)
                                .doOnSuccess(v -> succeeded.incrementAndGet())
                                .onErrorResume(e -> {
                                    if (e instanceof TimeoutException) {
                                        hung.incrementAndGet();
                                    } else {
                                        failures.computeIfAbsent(e.getClass(), c -> new AtomicLong()).incrementAndGet();
                                    }
                                    return Mono.empty();
                                })), 8)
                .subscribe();

        awaitUntil(() -> succeeded.get() > 200, Duration.ofSeconds(10));
        nats.stop();
        Thread.sleep(1000);
        nats.startProcess();

        awaitUntil(() -> events.stream().anyMatch(e -> e.type() == NatsConnectionEvent.Type.RECONNECTED), Duration.ofSeconds(15));
        long afterReconnect = succeeded.get();
        awaitUntil(() -> succeeded.get() > afterReconnect + 200, Duration.ofSeconds(20));
        running.set(false);
        awaitUntil(load::isDisposed, Duration.ofSeconds(10));

        LoggerFactory.getLogger(KvRestartTest.class).info("during the restart: {} operations succeeded, failures by type {}, {} outlived their timeout",
                succeeded.get(), failures, hung.get());
        assertThat(hung.get()).as("operations that outlived their timeout").isZero();
        assertThat(failures.keySet()).as("failure types during the restart")
                .allSatisfy(type -> assertThat(KvException.class).isAssignableFrom(type));

        List<NatsConnectionEvent.Type> types = events.stream().map(NatsConnectionEvent::type).toList();
        assertThat(types).containsSubsequence(NatsConnectionEvent.Type.CONNECTED, NatsConnectionEvent.Type.DISCONNECTED,
                NatsConnectionEvent.Type.RECONNECTED);
        assertThat(stores.stats().connections().get(0).reconnects()).isPositive();
        assertThat(stores.stats().connections().get(0).status()).isEqualTo("CONNECTED");

        long revision = kv.put("after.restart", "fine").block(REQUEST_TIMEOUT);
        assertThat(kv.get("after.restart").block(REQUEST_TIMEOUT).revision()).isEqualTo(revision);

        kv.put("marker", "after").block(REQUEST_TIMEOUT);
        awaitUntil(() -> watched.stream().anyMatch(e -> e.valueAsString().equals("after")), Duration.ofSeconds(15));
        assertThat(watched).extracting(KvEntry::valueAsString).startsWith("before").endsWith("after");
        assertThat(watched).extracting(KvEntry::revision).isSorted().doesNotHaveDuplicates();
        assertThat(kv.stats().watchResets()).as("the watch re-created its consumer after missing heartbeats").isPositive();
        watch.dispose();
        eventLog.dispose();
    }

    @Test
    void withoutAReconnectBufferOperationsFailAtOnceWhileDisconnected() throws Exception {
        nats = EmbeddedNats.start();
        stores = KvStores.create(NatsConfig.builder()
                .servers(nats.url())
                .requestTimeout(REQUEST_TIMEOUT)
                .reconnect(ReconnectPolicy.DEFAULT.withMaxAttempts(-1).withDelay(Duration.ofMillis(100)).withBufferSize(0))
                .bucket("unbuffered", b -> b.storage(KvStorage.FILE))
                .build());
        stores.start().block(Duration.ofSeconds(10));
        KvStore kv = stores.store("unbuffered");
        kv.put("k", "v").block(REQUEST_TIMEOUT);

        nats.stop();
        awaitUntil(() -> !stores.stats().connections().get(0).status().equals("CONNECTED"), Duration.ofSeconds(10));
        StepVerifier.create(kv.put("k", "w"))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(NotConnectedException.class).hasMessageContaining("put of key 'k'"))
                .verify(REQUEST_TIMEOUT);
        assertThat(kv.stats().errors()).containsEntry(KvErrorKind.NOT_CONNECTED, 1L);

        nats.startProcess();
        long revision = kv.put("k", "x").retryWhen(Retry.fixedDelay(100, Duration.ofMillis(100))).block(Duration.ofSeconds(20));
        assertThat(kv.get("k").block(REQUEST_TIMEOUT).revision()).isEqualTo(revision);
    }

    private static Mono<?> operation(KvStore kv, int worker, int i) {
        String key = "load." + worker + "." + (i % 16);
        return switch (i % 3) {
            case 0 -> kv.put(key, "v" + i);
            case 1 -> kv.get(key);
            default -> kv.create(key + ".c" + i, "v");
        };
    }

    private static void awaitUntil(java.util.function.BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout);
            }
            Thread.sleep(20);
        }
    }
}
