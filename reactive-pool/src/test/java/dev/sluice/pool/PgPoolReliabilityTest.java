package dev.sluice.pool;

import dev.sluice.testkit.EmbeddedPostgresServer;
import dev.sluice.testkit.SluiceExtension;
import dev.sluice.testkit.TestDatabase;
import io.r2dbc.spi.R2dbcException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import static org.assertj.core.api.Assertions.assertThat;

/** Brief section 7: the pool neither hangs nor leaks under cancellations, restarts and shutdown. */
@ExtendWith(SluiceExtension.class)
class PgPoolReliabilityTest {

    @Test
    void hundredThousandOperationsWithRandomCancellationsLeakNothing(TestDatabase db) {
        // A generous acquire timeout and no breaker: this test is about leaks, and a busy shared machine must
        // not turn slow acquires into failures it would then have to tell apart.
        PgPool pool = PgPool.create(Pools.config("churn", db).minConnections(4).maxConnections(10)
                .acquireTimeout(Duration.ofSeconds(20)).circuitBreaker(CircuitBreakerPolicy.DISABLED)
                .applicationName("churn-100k").build());
        Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
        try {
            pool.warmup().block();
            Flux.range(0, 100_000)
                    .flatMap(i -> randomOperation(pool)
                            .doOnNext(v -> count(outcomes, "ok"))
                            .onErrorResume(e -> {
                                count(outcomes, e instanceof TimeoutException ? "cancelled by timeout" : e.getClass().getSimpleName());
                                return Mono.empty();
                            })
                            .doOnCancel(() -> count(outcomes, "cancelled")), 64)
                    .then()
                    .block(Duration.ofMinutes(5));

            assertThat(outcomes.keySet()).as("outcomes %s", outcomes).containsOnly("ok", "cancelled by timeout");
            assertThat(outcomes.get("ok").sum()).isGreaterThan(80_000);
            assertThat(outcomes.get("cancelled by timeout").sum()).isGreaterThan(1_000);
            Pools.await("all connections back", Duration.ofSeconds(5), () -> pool.stats().acquired() == 0);
            Pools.await("no busy backend of ours", Duration.ofSeconds(5), () -> Pools.busySessions(db, "churn-100k") == 0);
            assertThat(pool.stats().pending()).isZero();
            Pools.await("server sessions match the pool", Duration.ofSeconds(5),
                    () -> Pools.sessions(db, "churn-100k") == pool.stats().allocated());

            long start = System.nanoTime();
            assertThat(pool.query("SELECT 42", r -> r.get(0, Integer.class)).blockLast()).isEqualTo(42);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        } finally {
            pool.stop().block();
        }
    }

    /** 85% plain round trips, 10% slow statements cut short by a timeout, 5% cancelled almost at once. */
    private static Mono<Integer> randomOperation(PgPool pool) {
        int dice = ThreadLocalRandom.current().nextInt(100);
        if (dice < 85) {
            return pool.queryOne("SELECT 1", r -> r.get(0, Integer.class));
        }
        if (dice < 95) {
            return pool.queryOne("SELECT 1 FROM pg_sleep(0.02)", r -> r.get(0, Integer.class))
                    .timeout(Duration.ofMillis(ThreadLocalRandom.current().nextInt(1, 15)));
        }
        return pool.queryOne("SELECT 1", r -> r.get(0, Integer.class)).timeout(Duration.ofNanos(1));
    }

    private static void count(Map<String, LongAdder> outcomes, String key) {
        outcomes.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    @Test
    void serverRestartUnderLoadFailsFastAndRecoversWithinTwoSeconds() throws InterruptedException {
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.builder().start()) {
            TestDatabase db = server.server().adminDatabase();
            Duration acquireTimeout = Duration.ofSeconds(1);
            PgPool pool = PgPool.create(Pools.config("restart", db).minConnections(4).maxConnections(8)
                    .acquireTimeout(acquireTimeout).connectTimeout(Duration.ofMillis(500)).applicationName("restart-load").build());
            pool.warmup().block();

            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong serverBackAt = new AtomicLong(Long.MAX_VALUE);
            ConcurrentLinkedQueue<Long> successes = new ConcurrentLinkedQueue<>();
            Map<String, LongAdder> failures = new ConcurrentHashMap<>();
            LongAdder hung = new LongAdder();
            // "hung" means far past any bound the pool promises (acquire timeout, plus a connect and a query on a busy machine)
            Duration hangLimit = acquireTimeout.multipliedBy(2).plusSeconds(5);

            var load = Flux.range(0, 16)
                    .flatMap(worker -> Flux.defer(() -> pool.queryOne("SELECT 1", r -> r.get(0, Integer.class))
                                    .timeout(hangLimit)
                                    .doOnNext(v -> successes.add(System.nanoTime()))
                                    .onErrorResume(e -> {
                                        if (e instanceof TimeoutException) {
                                            hung.increment();
                                        } else {
                                            count(failures, e instanceof R2dbcException ? "R2dbcException" : e.getClass().getName());
                                        }
                                        return Mono.delay(Duration.ofMillis(10)).then(Mono.empty());
                                    }))
                            .repeat(running::get), 16)
                    .then()
                    .subscribe();

            Thread.sleep(1000);
            server.stop();
            Thread.sleep(1000);
            server.startProcess();
            serverBackAt.set(System.nanoTime());
            Thread.sleep(3000);
            running.set(false);
            Pools.await("load finished", Duration.ofSeconds(10), load::isDisposed);

            assertThat(hung.sum()).as("requests that hung past %s", hangLimit).isZero();
            assertThat(failures.keySet()).as("every failure is a classified R2DBC error: %s", failures)
                    .isSubsetOf("R2dbcException");
            assertThat(failures).as("the restart was felt").isNotEmpty();
            long firstAfterRestart = successes.stream().filter(t -> t > serverBackAt.get()).min(Long::compare).orElseThrow();
            assertThat(Duration.ofNanos(firstAfterRestart - serverBackAt.get())).isLessThan(Duration.ofSeconds(2));
            assertThat(pool.query("SELECT 1", r -> r.get(0, Integer.class)).blockLast()).isEqualTo(1);
            Pools.await("nothing held", Duration.ofSeconds(5), () -> pool.stats().acquired() == 0);
            pool.stop().block();
            Pools.await("no session left", Duration.ofSeconds(5), () -> Pools.sessions(db, "restart-load") == 0);
        }
    }

    @Test
    void gracefulShutdownUnderLoadFinishesRunningWorkAndRefusesNewWork(TestDatabase db) {
        PgPool pool = PgPool.create(Pools.config("drain", db).minConnections(8).maxConnections(8)
                .shutdownGracePeriod(Duration.ofSeconds(10)).applicationName("drain-load").build());
        pool.warmup().block();
        Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
        AtomicBoolean running = new AtomicBoolean(true);
        var load = Flux.range(0, 32)
                .flatMap(worker -> Flux.defer(() -> pool.queryOne("SELECT 1 FROM pg_sleep(0.05)", r -> r.get(0, Integer.class))
                                .doOnNext(v -> count(outcomes, "ok"))
                                .onErrorResume(e -> {
                                    count(outcomes, e.getClass().getSimpleName());
                                    return Mono.delay(Duration.ofMillis(5)).then(Mono.empty());
                                }))
                        .repeat(running::get), 32)
                .then()
                .subscribe();
        Pools.await("load running", Duration.ofSeconds(5), () -> outcomes.containsKey("ok") && outcomes.get("ok").sum() > 50);

        long start = System.nanoTime();
        pool.stop().block(Duration.ofSeconds(20));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        Pools.await("refusals seen", Duration.ofSeconds(5), () -> outcomes.containsKey("PoolShutdownException"));
        running.set(false);
        Pools.await("load finished", Duration.ofSeconds(10), load::isDisposed);

        assertThat(outcomes.keySet()).as("outcomes %s", outcomes).containsOnly("ok", "PoolShutdownException");
        assertThat(took).isLessThan(Duration.ofSeconds(5));
        Pools.await("no session left", Duration.ofSeconds(5), () -> Pools.sessions(db, "drain-load") == 0);
    }
}
