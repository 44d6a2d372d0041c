package dev.sluice.pool.internal;

import dev.sluice.pool.BreakerState;
import dev.sluice.pool.CircuitBreakerPolicy;
import dev.sluice.pool.CircuitOpenException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcBadGrammarException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The breaker's operator on constructed calls: what counts, what does not, and the refusal.
 * {@code CircuitBreakerTest} drives it through a real pool and server.
 */
class PoolBreakerTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    /** Opens at 50% failures over the last 4 calls, at least 4 of them. */
    private static final CircuitBreakerPolicy POLICY = new CircuitBreakerPolicy(true, 50, 4, 4, Duration.ofMinutes(1), 1);

    private final PoolBreaker breaker = new PoolBreaker("test", POLICY);

    @AfterEach
    void close() {
        breaker.close();
    }

    @Test
    void connectionFailuresOpenItAndTheNextCallIsRefusedWithoutRunning() {
        fail(2);
        succeed(2);
        assertThat(breaker.state()).isEqualTo(BreakerState.OPEN);

        Flux<String> work = Flux.defer(() -> Flux.error(new AssertionError("a refused call must not run")));
        StepVerifier.create(breaker.protect(work))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(CircuitOpenException.class).hasMessageContaining("'test'"))
                .verify(WAIT);
    }

    @Test
    void errorsThatShowTheDatabaseAnswersCountAsSuccesses() {
        for (int i = 0; i < 4; i++) {
            StepVerifier.create(breaker.protect(Flux.error(new R2dbcBadGrammarException("syntax error", "42601"))))
                    .expectError(R2dbcBadGrammarException.class)
                    .verify(WAIT);
        }

        assertThat(breaker.state()).isEqualTo(BreakerState.CLOSED);
    }

    @Test
    void aCallCancelledBeforeItsFirstValueIsNotCounted() {
        fail(3);
        for (int i = 0; i < 5; i++) {
            StepVerifier.create(breaker.protect(Flux.never())).thenCancel().verify(WAIT);
        }
        assertThat(breaker.state()).as("3 calls counted, fewer than the minimum of 4").isEqualTo(BreakerState.CLOSED);

        fail(1);
        assertThat(breaker.state()).isEqualTo(BreakerState.OPEN);
    }

    @Test
    void aCallCancelledAfterAValueCountsAsASuccess() {
        for (int i = 0; i < 4; i++) {
            StepVerifier.create(breaker.protect(Flux.just("row").concatWith(Flux.never())))
                    .expectNext("row")
                    .thenCancel()
                    .verify(WAIT);
        }
        assertThat(breaker.state()).isEqualTo(BreakerState.CLOSED);

        fail(2);
        assertThat(breaker.state()).as("2 failures in the last 4 calls").isEqualTo(BreakerState.OPEN);
    }

    @Test
    void transitionsArePublishedAsTheyHappen() {
        StepVerifier.create(breaker.transitions().take(1))
                .then(() -> fail(4))
                .assertNext(t -> {
                    assertThat(t.from()).isEqualTo(BreakerState.CLOSED);
                    assertThat(t.to()).isEqualTo(BreakerState.OPEN);
                })
                .expectComplete()
                .verify(WAIT);
    }

    private void fail(int calls) {
        for (int i = 0; i < calls; i++) {
            StepVerifier.create(breaker.protect(Flux.error(new R2dbcNonTransientResourceException("connection refused", "08001"))))
                    .expectError(R2dbcNonTransientResourceException.class)
                    .verify(WAIT);
        }
    }

    private void succeed(int calls) {
        for (int i = 0; i < calls; i++) {
            StepVerifier.create(breaker.protect(Flux.just("ok"))).expectNext("ok").expectComplete().verify(WAIT);
        }
    }
}
