package dev.sluice.pool;

import dev.sluice.testkit.FaultProxy;
import dev.sluice.testkit.SluiceExtension;
import dev.sluice.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Brief section 7: a black-holed network under load opens the breaker, callers fail fast, and all recovers by itself. */
@ExtendWith(SluiceExtension.class)
class CircuitBreakerTest {

    /** Two health intervals of the default 5 s. */
    private static final Duration OPENS_WITHIN = Duration.ofSeconds(10);

    @Test
    void aBlackHoleOpensTheBreakerCallersFailFastAndThePoolRecovers(TestDatabase db) {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
            PgPool pool = PgPool.create(Pools.config("guarded", db.at(proxy.host(), proxy.port()))
                    .minConnections(2).maxConnections(2)
                    .acquireTimeout(Duration.ofSeconds(1)).connectTimeout(Duration.ofMillis(500))
                    .circuitBreaker(CircuitBreakerPolicy.DEFAULT.withMinimumCalls(4).withWaitInOpenState(Duration.ofSeconds(4)))
                    .build());
            List<BreakerTransition> transitions = new CopyOnWriteArrayList<>();
            pool.breakerTransitions().subscribe(transitions::add);
            try {
                pool.warmup().block();
                assertThat(pool.queryOne("SELECT 1", r -> r.get(0, Integer.class)).block()).isEqualTo(1);
                assertThat(pool.breakerState()).isEqualTo(BreakerState.CLOSED);

                proxy.blackHole();
                long blackHoled = System.nanoTime();
                AtomicBoolean calling = new AtomicBoolean(true);
                Disposable load = Flux.range(0, 12)
                        .flatMap(i -> Mono.defer(() -> pool.queryOne("SELECT 1", r -> r.get(0, Integer.class)))
                                .timeout(Duration.ofSeconds(1))
                                .onErrorResume(e -> Mono.delay(Duration.ofMillis(20)).then(Mono.empty()))
                                .repeat(calling::get), 12)
                        .subscribe();
                try {
                    Pools.await("breaker open", OPENS_WITHIN, () -> pool.breakerState() == BreakerState.OPEN);
                } finally {
                    calling.set(false);
                    load.dispose();
                }
                assertThat(Duration.ofNanos(System.nanoTime() - blackHoled)).as("open within two default health intervals")
                        .isLessThan(OPENS_WITHIN);

                long start = System.nanoTime();
                assertThatThrownBy(() -> pool.queryOne("SELECT 1", r -> 1).block())
                        .isInstanceOf(CircuitOpenException.class)
                        .hasMessageContaining("pool 'guarded': circuit breaker is OPEN");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).as("fails fast, not after the acquire timeout")
                        .isLessThan(Duration.ofMillis(150));
                assertThat(pool.stats().breakerState()).isEqualTo(BreakerState.OPEN);

                proxy.passThrough();
                Pools.await("service back", Duration.ofSeconds(20), () -> {
                    try {
                        return pool.queryOne("SELECT 1", r -> r.get(0, Integer.class)).block(Duration.ofSeconds(2)) == 1;
                    } catch (RuntimeException stillDown) {
                        return false;
                    }
                });
                Pools.await("breaker closed", Duration.ofSeconds(10), () -> {
                    pool.queryOne("SELECT 1", r -> 1).onErrorResume(e -> Mono.empty()).block();
                    return pool.breakerState() == BreakerState.CLOSED;
                });
                assertThat(transitions).extracting(BreakerTransition::to).contains(BreakerState.OPEN, BreakerState.HALF_OPEN, BreakerState.CLOSED);
                assertThat(transitions).allSatisfy(t -> assertThat(t.pool()).isEqualTo("guarded"));
            } finally {
                proxy.passThrough();
                pool.stop().block(Duration.ofSeconds(30));
            }
        }
    }

    @Test
    void errorsThatShowTheDatabaseAnswersDoNotOpenTheBreaker(TestDatabase db) {
        PgPool pool = PgPool.create(Pools.config("answering", db)
                .circuitBreaker(CircuitBreakerPolicy.DEFAULT.withMinimumCalls(4).withMinimumFailureDuration(Duration.ZERO)).build());
        try {
            for (int i = 0; i < 20; i++) {
                pool.query("SELECT 1/0", r -> 1).onErrorResume(e -> Mono.empty()).blockLast();
            }
            assertThat(pool.breakerState()).isEqualTo(BreakerState.CLOSED);
        } finally {
            pool.stop().block();
        }
    }

    @Test
    void aDisabledBreakerSaysSo(TestDatabase db) {
        PgPool pool = PgPool.create(Pools.config("nobreaker", db).circuitBreaker(CircuitBreakerPolicy.DISABLED).build());
        try {
            assertThat(pool.breakerState()).isEqualTo(BreakerState.DISABLED);
        } finally {
            pool.stop().block();
        }
    }
}
