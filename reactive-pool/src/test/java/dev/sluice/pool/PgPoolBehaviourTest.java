package dev.sluice.pool;

import dev.sluice.testkit.FaultProxy;
import dev.sluice.testkit.PostgresServer;
import dev.sluice.testkit.SluiceExtension;
import dev.sluice.testkit.TestDatabase;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Parameters;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(SluiceExtension.class)
class PgPoolBehaviourTest {

    @BeforeAll
    static void schema(TestDatabase db) {
        dev.sluice.testkit.PostgresServer.execute(db, "CREATE TABLE items (id int PRIMARY KEY, name text)");
    }

    @Test
    void connectionGoesBackOnCompleteErrorAndCancel(TestDatabase db) {
        PgPool pool = PgPool.create(Pools.config("release", db).maxConnections(2).build());
        try {
            StepVerifier.create(pool.query("SELECT 1", r -> r.get(0, Integer.class))).expectNext(1).verifyComplete();
            assertThat(pool.stats().acquired()).isZero();

            StepVerifier.create(pool.withConnection(c -> Mono.error(new IllegalStateException("boom"))))
                    .expectErrorMessage("boom").verify();
            assertThat(pool.stats().acquired()).isZero();

            StepVerifier.create(pool.query("SELECT pg_sleep(5)", r -> 1))
                    .thenAwait(Duration.ofMillis(200))
                    .thenCancel()
                    .verify();
            Pools.await("cancelled connection released", Duration.ofSeconds(3), () -> pool.stats().acquired() == 0);
            long start = System.nanoTime();
            StepVerifier.create(pool.query("SELECT 2", r -> r.get(0, Integer.class))).expectNext(2).verifyComplete();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("next caller does not wait for the cancelled pg_sleep")
                    .isLessThan(Duration.ofSeconds(3));
        } finally {
            pool.stop().block();
        }
    }

    @Test
    void acquireTimeAddsUpTheWaitsSoMeansCanBeTakenOverAnyInterval(TestDatabase db) {
        PgPool pool = PgPool.create(Pools.config("waits", db).minConnections(1).maxConnections(1).build());
        try {
            pool.warmup().block();
            PoolStats before = pool.stats();
            var holder = pool.query("SELECT pg_sleep(0.4)", r -> 1).subscribe(v -> { }, e -> { });
            Pools.await("first caller holds the connection", Duration.ofSeconds(3), () -> pool.stats().acquired() == 1);
            assertThat(pool.queryOne("SELECT 1", r -> r.get(0, Integer.class)).block()).isEqualTo(1);
            PoolStats after = pool.stats();
            Duration waited = after.acquireTime().minus(before.acquireTime());
            assertThat(after.acquireCount() - before.acquireCount()).isEqualTo(2);
            assertThat(waited).as("the second caller waited for the first one's pg_sleep").isGreaterThan(Duration.ofMillis(200));
            assertThat(after.acquireMean()).isEqualTo(after.acquireTime().dividedBy(after.acquireCount()));
            holder.dispose();
        } finally {
            pool.stop().block();
        }
    }

    @Test
    void exhaustionErrorNamesPoolSizeUseAndWait(TestDatabase db) {
        PgPool pool = PgPool.create(Pools.config("tiny", db).minConnections(1).maxConnections(1)
                .acquireTimeout(Duration.ofMillis(300)).build());
        try {
            pool.warmup().block();
            var holder = pool.query("SELECT pg_sleep(2)", r -> 1).subscribe(v -> { }, e -> { });
            Pools.await("first caller holds the connection", Duration.ofSeconds(3), () -> pool.stats().acquired() == 1);
            assertThatThrownBy(() -> pool.query("SELECT 1", r -> 1).blockLast())
                    .isInstanceOf(PoolExhaustedException.class)
                    .hasMessageContaining("pool 'tiny'")
                    .hasMessageContaining("1 of 1 connections in use")
                    .hasMessageContaining("acquire timeout of 300 ms")
                    .hasMessageContaining("raise maxConnections")
                    .satisfies(e -> {
                        PoolExhaustedException ex = (PoolExhaustedException) e;
                        assertThat(ex.pool()).isEqualTo("tiny");
                        assertThat(ex.maxConnections()).isEqualTo(1);
                        assertThat(ex.acquired()).isEqualTo(1);
                        assertThat(ex.waited()).isGreaterThanOrEqualTo(Duration.ofMillis(300));
                    });
            assertThat(pool.stats().acquireTimeouts()).isEqualTo(1);
            holder.dispose();
        } finally {
            pool.stop().block();
        }
    }

    @Test
    void pendingLimitRefusesAtOnce(TestDatabase db) {
        PgPool pool = PgPool.create(Pools.config("pending", db).minConnections(1).maxConnections(1).maxPendingAcquires(1)
                .acquireTimeout(Duration.ofSeconds(5)).build());
        try {
            pool.warmup().block();
            var holder = pool.query("SELECT pg_sleep(2)", r -> 1).subscribe(v -> { }, e -> { });
            Pools.await("held", Duration.ofSeconds(3), () -> pool.stats().acquired() == 1);
            var waiter = pool.query("SELECT 1", r -> 1).subscribe(v -> { }, e -> { });
            Pools.await("one waiting", Duration.ofSeconds(3), () -> pool.stats().pending() == 1);
            long start = System.nanoTime();
            assertThatThrownBy(() -> pool.query("SELECT 1", r -> 1).blockLast())
                    .isInstanceOf(PoolExhaustedException.class)
                    .hasMessageContaining("maxPendingAcquires (1)");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            assertThat(pool.stats().acquireRejections()).isEqualTo(1);
            holder.dispose();
            waiter.dispose();
        } finally {
            pool.stop().block();
        }
    }

    @Test
    void leakDetectionReportsAHeldConnectionOnceWithItsCallSite(TestDatabase db) {
        PgPool pool = PgPool.create(Pools.config("leaky", db).leakDetectionThreshold(Duration.ofMillis(150)).build());
        try {
            Connection held = Mono.from(pool.connectionFactory().create()).block();
            Pools.await("leak reported", Duration.ofSeconds(3), () -> pool.stats().leaks() == 1);
            LeakReport report = pool.stats().recentLeaks().get(0);
            assertThat(report.pool()).isEqualTo("leaky");
            assertThat(report.heldFor()).isGreaterThanOrEqualTo(Duration.ofMillis(150));
            assertThat(report.callSite()).contains("leakDetectionReportsAHeldConnectionOnceWithItsCallSite");
            Mono.from(held.close()).block();
            assertThat(pool.stats().acquired()).isZero();

            pool.query("SELECT 1", r -> 1).blockLast();
            assertThat(pool.stats().leaks()).isEqualTo(1);
        } finally {
            pool.stop().block();
        }
    }

    @Test
    void connectionFactoryIsAStandardR2dbcFactory(TestDatabase db) {
        PgPool pool = PgPool.create(Pools.config("spi", db).build());
        try {
            Integer value = Flux.usingWhen(pool.connectionFactory().create(),
                    c -> Flux.from(c.createStatement("SELECT $1::int + 1").bind("$1", 41).execute())
                            .flatMap(result -> result.map((row, meta) -> row.get(0, Integer.class))),
                    Connection::close).blockLast();
            assertThat(value).isEqualTo(42);
            assertThat(pool.stats().acquired()).isZero();
            assertThat(pool.connectionFactory().getMetadata().getName()).isEqualTo("PostgreSQL");
        } finally {
            pool.stop().block();
        }
    }

    @Test
    void helpersQueryUpdateBatchAndRunInParallel(TestDatabase db) {
        PgPool pool = PgPool.create(Pools.config("helpers", db).maxConnections(3).build());
        try {
            assertThat(pool.update("INSERT INTO items VALUES ($1, $2), ($3, $4)", 1, "one", 2, "two").block()).isEqualTo(2);
            assertThat(pool.batch("INSERT INTO items VALUES ($1, $2)", List.of(new Object[]{3, "three"}, new Object[]{4, "four"}))
                    .collectList().block()).containsExactly(1L, 1L);
            assertThat(pool.batch(List.of("INSERT INTO items VALUES (5, 'five')", "UPDATE items SET name = upper(name) WHERE id <= 2"))
                    .collectList().block()).containsExactly(1L, 2L);
            assertThat(pool.query("SELECT name FROM items ORDER BY id", r -> r.get(0, String.class)).collectList().block())
                    .containsExactly("ONE", "TWO", "three", "four", "five");
            assertThat(pool.queryOne("SELECT name FROM items WHERE id = $1", r -> r.get(0, String.class), 3).block()).isEqualTo("three");
            assertThat(pool.queryOne("SELECT name FROM items WHERE id = $1", r -> r.get(0, String.class), 99).blockOptional()).isEmpty();
            assertThatThrownBy(() -> pool.queryOne("SELECT name FROM items", r -> r.get(0, String.class)).block())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("at most one row");
            assertThat(pool.update("UPDATE items SET name = $1 WHERE id = $2", Parameters.in(String.class), 5).block()).isEqualTo(1);
            assertThatThrownBy(() -> pool.update("UPDATE items SET name = $1", (Object) null).block())
                    .hasMessageContaining("parameter $1 is null");

            List<Integer> pids = pool.inParallel(List.<java.util.function.Function<? super Connection, ? extends org.reactivestreams.Publisher<Integer>>>of(
                    c -> Flux.from(c.createStatement("SELECT pg_backend_pid() FROM pg_sleep(0.3)").execute()).flatMap(r -> r.map((row, m) -> row.get(0, Integer.class))),
                    c -> Flux.from(c.createStatement("SELECT pg_backend_pid() FROM pg_sleep(0.3)").execute()).flatMap(r -> r.map((row, m) -> row.get(0, Integer.class))),
                    c -> Flux.from(c.createStatement("SELECT pg_backend_pid() FROM pg_sleep(0.3)").execute()).flatMap(r -> r.map((row, m) -> row.get(0, Integer.class)))))
                    .collectList().block();
            assertThat(pids).hasSize(3).doesNotHaveDuplicates();
        } finally {
            pool.stop().block();
        }
    }

    @Test
    void explainReturnsTheJsonPlanAndChangesNothing(TestDatabase db) {
        PgPool pool = PgPool.create(Pools.config("explain", db).maxConnections(1).build());
        try {
            String plan = pool.explain("INSERT INTO items VALUES ($1, 'ghost')", 1000).block();
            assertThat(plan).contains("\"Plan\"").contains("\"Actual Total Time\"").contains("\"Shared Hit Blocks\"");
            assertThat(pool.queryOne("SELECT count(*) FROM items WHERE id = 1000", r -> r.get(0, Long.class)).block()).isZero();
            assertThat(pool.queryOne("SELECT now() = statement_timestamp()", r -> r.get(0, Boolean.class)).block())
                    .as("the connection is not left inside the explain's transaction").isTrue();
        } finally {
            pool.stop().block();
        }
    }

    @Test
    void shutdownLetsRunningWorkFinishRefusesNewWorkAndLeavesNoSession(TestDatabase db) throws InterruptedException {
        PgPool pool = PgPool.create(Pools.config("graceful", db).minConnections(2).maxConnections(4)
                .applicationName("graceful-close").shutdownGracePeriod(Duration.ofSeconds(5)).build());
        pool.warmup().block();
        List<Mono<Integer>> running = List.of(1, 2, 3).stream()
                .map(i -> pool.queryOne("SELECT $1::int FROM pg_sleep(0.5)", r -> r.get(0, Integer.class), i).cache())
                .toList();
        running.forEach(Mono::subscribe);
        // running on the server, not only acquired: the third connection may still be opening when the pool counts it
        Pools.await("three running", Duration.ofSeconds(5), () -> Pools.busySessions(db, "graceful-close") == 3);

        Mono<Void> closing = pool.stop().cache();
        closing.subscribe();
        assertThat(pool.isClosing()).isTrue();
        assertThatThrownBy(() -> pool.query("SELECT 1", r -> 1).blockLast())
                .isInstanceOf(PoolShutdownException.class).hasMessageContaining("pool 'graceful' is shutting down");

        assertThat(Flux.concat(running).collectList().block()).containsExactly(1, 2, 3);
        closing.block(Duration.ofSeconds(10));
        // the connections are closed; the server removes each backend a moment after its Terminate message
        Pools.await("no session left", Duration.ofSeconds(5), () -> Pools.sessions(db, "graceful-close") == 0);
    }

    /**
     * An acquire still waiting when shutdown begins must not slip past it: the connection it gets afterwards (here the
     * one released by the work the grace period waited for) is given back and the work refused, so nothing runs on a
     * pool that reported itself closed.
     */
    @Test
    void anAcquireWaitingWhenShutdownBeginsIsRefusedWhenItsConnectionArrives(TestDatabase db) {
        PgPool pool = PgPool.create(Pools.config("late", db).minConnections(1).maxConnections(1)
                .shutdownGracePeriod(Duration.ofSeconds(5)).build());
        pool.warmup().block();
        Sinks.Empty<Void> hold = Sinks.empty();
        Mono<Void> holder = pool.withConnection(c -> hold.asMono()).then().cache();
        holder.subscribe(v -> { }, e -> { });
        Pools.await("the only connection held", Duration.ofSeconds(3), () -> pool.stats().acquired() == 1);
        Mono<Integer> late = pool.queryOne("SELECT 1", r -> r.get(0, Integer.class)).cache();
        late.subscribe(v -> { }, e -> { });
        Pools.await("an acquire waiting", Duration.ofSeconds(3), () -> pool.stats().pending() == 1);

        Mono<Void> closing = pool.stop().cache();
        closing.subscribe(v -> { }, e -> { });
        hold.tryEmitEmpty();

        assertThatThrownBy(() -> late.block(Duration.ofSeconds(10))).isInstanceOf(PoolShutdownException.class)
                .hasMessageContaining("pool 'late' is shutting down");
        holder.block(Duration.ofSeconds(10));
        closing.block(Duration.ofSeconds(10));
        assertThat(pool.stats().acquired()).isZero();
    }

    /**
     * The same for an acquire still opening its connection when shutdown begins (the window the grace-period test
     * below once fell into): the connection that arrives after the pool closed is not used.
     */
    @Test
    void anAcquireStillConnectingWhenShutdownBeginsIsRefused(TestDatabase db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
            PgPool pool = PgPool.create(Pools.config("connecting", db.at(proxy.host(), proxy.port())).minConnections(0).maxConnections(1)
                    .applicationName("connecting-close").shutdownGracePeriod(Duration.ofSeconds(5)).build());
            proxy.blackHole();
            Mono<Integer> late = pool.queryOne("SELECT 1", r -> r.get(0, Integer.class)).cache();
            late.subscribe(v -> { }, e -> { });
            Pools.await("a connection being opened", Duration.ofSeconds(3), () -> proxy.acceptedConnections() == 1);

            pool.stop().block(Duration.ofSeconds(10));
            proxy.passThrough();

            assertThatThrownBy(() -> late.block(Duration.ofSeconds(10))).isInstanceOf(PoolShutdownException.class)
                    .hasMessageContaining("pool 'connecting' is shutting down");
            // the connection that arrived late is closed, not kept
            Pools.await("no session left", Duration.ofSeconds(5), () -> Pools.sessions(db, "connecting-close") == 0);
        }
    }

    @Test
    void shutdownCancelsWorkStillRunningAfterTheGracePeriod(TestDatabase db) {
        PgPool pool = PgPool.create(Pools.config("impatient", db).applicationName("impatient-close")
                .shutdownGracePeriod(Duration.ofMillis(300)).build());
        Mono<List<Integer>> slow = pool.query("SELECT 1 FROM pg_sleep(30)", r -> r.get(0, Integer.class)).collectList().cache();
        slow.subscribe(v -> { }, e -> { });
        Pools.await("pg_sleep running", Duration.ofSeconds(3), () -> "1".equals(PostgresServer.queryString(db, "SELECT count(*) FROM "
                + "pg_stat_activity WHERE application_name = 'impatient-close' AND state = 'active' AND query LIKE '%pg_sleep(30)%'")));

        long start = System.nanoTime();
        pool.stop().block(Duration.ofSeconds(10));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
        assertThatThrownBy(slow::block).isInstanceOf(PoolShutdownException.class).hasMessageContaining("grace period of 300 ms");
        Pools.await("no session left", Duration.ofSeconds(3), () -> Pools.sessions(db, "impatient-close") == 0);
    }
}
