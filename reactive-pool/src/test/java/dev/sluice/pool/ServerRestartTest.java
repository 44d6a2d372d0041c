package dev.sluice.pool;

import dev.sluice.testkit.EmbeddedPostgresServer;
import dev.sluice.testkit.PostgresServer;
import dev.sluice.testkit.TestDatabase;
import io.r2dbc.spi.Connection;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A server restart under load, with the default circuit breaker: a restart shorter than the acquire timeout
 * fails only statements already in flight, and a server gone for longer fails acquires with the connection
 * error, opens the breaker and lets callers fail fast until it is back.
 */
class ServerRestartTest {

    private static final int CALLERS = 64;
    private static final int MAX_CONNECTIONS = 8;
    private static final int ACCOUNTS = 1_000;

    @Test
    void aRestartShorterThanTheAcquireTimeoutFailsOnlyStatementsInFlight() throws InterruptedException {
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.builder().start()) {
            TestDatabase db = seeded(server);
            // wide enough for a slow restart on a loaded machine; the test checks the restart was shorter
            Duration acquireTimeout = Duration.ofSeconds(20);
            PgPool pool = PgPool.create(Pools.config("blip", db).minConnections(MAX_CONNECTIONS).maxConnections(MAX_CONNECTIONS)
                    .acquireTimeout(acquireTimeout).applicationName("restart-blip").build());
            List<BreakerTransition> transitions = new java.util.concurrent.CopyOnWriteArrayList<>();
            pool.breakerTransitions().subscribe(transitions::add);
            try {
                pool.warmup().block();
                Load load = Load.start(pool);
                load.awaitSuccesses(500);

                long down = System.nanoTime();
                server.stop();
                long afterStop = load.successes.sum();
                server.startProcess();
                Duration restart = Duration.ofNanos(System.nanoTime() - down);
                long back = load.successes.sum();
                load.awaitSuccesses(back + 500);
                load.stop();

                assertThat(restart).as("the restart took less than the acquire timeout").isLessThan(acquireTimeout);
                assertThat(load.acquireFailures).as("operations that failed before their statement was sent").isEmpty();
                assertThat(load.statementFailures).as("statements that failed").allSatisfy(e -> assertThat(SqlErrorClassifier.classify(e))
                        .as("%s", e).isEqualTo(ErrorClass.CONNECTION));
                // Each connection can lose at most one statement: the one it carried when its session ended. A
                // connection that lost one is closed, and its replacement connects to the restarted server.
                assertThat(load.statementFailures.size()).as("failed statements, at most one per connection")
                        .isLessThanOrEqualTo(MAX_CONNECTIONS);
                assertThat(transitions).as("breaker transitions").isEmpty();
                assertThat(pool.breakerState()).isEqualTo(BreakerState.CLOSED);
                PoolStats stats = pool.stats();
                assertThat(stats.connectFailures()).as("attempts to connect refused during the restart (stopped after %d successes)", afterStop)
                        .isPositive();
                assertThat(stats.connectAttempts()).isGreaterThan(stats.connectFailures());
                assertThat(stats.acquireTimeouts() + stats.acquireErrors()).isZero();
            } finally {
                pool.stop().block(Duration.ofSeconds(30));
            }
        }
    }

    @Test
    void aServerGoneLongerThanTheAcquireTimeoutFailsWithTheConnectionErrorThenFastAndResumesWhenBack() throws InterruptedException {
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.builder().start()) {
            TestDatabase db = seeded(server);
            Duration acquireTimeout = Duration.ofSeconds(1);
            PgPool pool = PgPool.create(Pools.config("outage", db).minConnections(MAX_CONNECTIONS).maxConnections(MAX_CONNECTIONS)
                    .acquireTimeout(acquireTimeout).connectTimeout(Duration.ofMillis(500)).applicationName("restart-outage").build());
            try {
                pool.warmup().block();
                Load load = Load.start(pool);
                load.awaitSuccesses(500);

                long down = System.nanoTime();
                server.stop();
                // two intervals of the health monitor's default 5 s
                Pools.await("breaker open", Duration.ofSeconds(10), () -> pool.breakerState() == BreakerState.OPEN);
                Duration opened = Duration.ofNanos(System.nanoTime() - down);

                assertThat(load.acquireFailures).as("acquires that gave up").isNotEmpty().allSatisfy(e -> {
                    if (e instanceof CircuitOpenException) {
                        return;
                    }
                    assertThat(e).isInstanceOf(PoolExhaustedException.class)
                            .hasMessageContaining("make the server reachable");
                    assertThat(SqlErrorClassifier.classify(e.getCause())).as("cause %s", e.getCause()).isEqualTo(ErrorClass.CONNECTION);
                });
                assertThat(load.acquireFailures).as("some acquires waited out their timeout")
                        .anySatisfy(e -> assertThat(e).isInstanceOf(PoolExhaustedException.class));
                long start = System.nanoTime();
                assertThatThrownBy(() -> pool.queryOne("SELECT 1", r -> 1).block()).isInstanceOf(CircuitOpenException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).as("fails fast (the breaker opened %s after the stop)", opened)
                        .isLessThan(Duration.ofMillis(500));

                server.startProcess();
                long back = System.nanoTime();
                long successesBefore = load.successes.sum();
                load.awaitSuccesses(successesBefore + 1);
                assertThat(Duration.ofNanos(load.firstSuccessAfter(back) - back)).as("service resumed after the server's return")
                        .isLessThan(Duration.ofSeconds(2));
                load.stop();
                Pools.await("breaker closed", Duration.ofSeconds(5), () -> pool.breakerState() == BreakerState.CLOSED);
            } finally {
                pool.stop().block(Duration.ofSeconds(30));
            }
        }
    }

    private static TestDatabase seeded(EmbeddedPostgresServer server) {
        TestDatabase db = server.server().adminDatabase();
        PostgresServer.execute(db, "CREATE TABLE account (id int PRIMARY KEY, tenant text NOT NULL, balance bigint NOT NULL)");
        PostgresServer.execute(db, "INSERT INTO account SELECT g, 't' || (g % 10), 1000 FROM generate_series(1, " + ACCOUNTS + ") g");
        return db;
    }

    /**
     * A closed loop of {@link #CALLERS} callers reading an account by primary key. A failure is an acquire failure
     * when the work never received its connection (nothing was sent), otherwise a statement failure.
     */
    private static final class Load {
        final LongAdder successes = new LongAdder();
        final Queue<Long> successTimes = new ConcurrentLinkedQueue<>();
        final Queue<Throwable> acquireFailures = new ConcurrentLinkedQueue<>();
        final Queue<Throwable> statementFailures = new ConcurrentLinkedQueue<>();
        final AtomicBoolean running = new AtomicBoolean(true);
        Disposable subscription;

        static Load start(PgPool pool) {
            Load load = new Load();
            load.subscription = Flux.range(0, CALLERS)
                    .flatMap(caller -> Mono.defer(() -> load.read(pool)).repeat(load.running::get), CALLERS)
                    .subscribe();
            return load;
        }

        private Mono<Long> read(PgPool pool) {
            AtomicBoolean sent = new AtomicBoolean();
            int id = ThreadLocalRandom.current().nextInt(1, ACCOUNTS + 1);
            return pool.withConnection((Connection c) -> {
                        sent.set(true);
                        return Flux.from(c.createStatement("SELECT balance FROM account WHERE id = $1").bind("$1", id).execute())
                                .flatMap(result -> result.map((row, meta) -> row.get(0, Long.class)));
                    })
                    .single()
                    .doOnNext(balance -> {
                        successes.increment();
                        successTimes.add(System.nanoTime());
                    })
                    .onErrorResume(error -> {
                        (sent.get() ? statementFailures : acquireFailures).add(error);
                        // a failing caller paces itself, as a service's client would
                        return Mono.delay(Duration.ofMillis(20)).then(Mono.empty());
                    });
        }

        void awaitSuccesses(long count) {
            Pools.await(count + " successful reads", Duration.ofSeconds(60), () -> successes.sum() >= count);
        }

        long firstSuccessAfter(long nanos) {
            return successTimes.stream().filter(t -> t - nanos > 0).min(Long::compare).orElseThrow();
        }

        void stop() {
            running.set(false);
            Pools.await("load finished", Duration.ofSeconds(60), subscription::isDisposed);
        }
    }
}
