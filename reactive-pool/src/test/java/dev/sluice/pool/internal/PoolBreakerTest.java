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
import reactor.test.publisher.TestPublisher;
import dev.sluice.testkit.Await;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The breaker's operator on constructed calls, on a time source the test moves: what counts, what does not, the
 * window, the span of the failures, the refusal and the probes. {@code CircuitBreakerTest} and
 * {@code ServerRestartTest} drive it through a real pool and server.
 */
class PoolBreakerTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    /** Opens at 50% failures over 5 s, at least 4 calls, the failures spanning at least 2 s. */
    private static final CircuitBreakerPolicy POLICY = new CircuitBreakerPolicy(true, 50, Duration.ofSeconds(5), 4,
            Duration.ofSeconds(2), Duration.ofMinutes(1), 1);

    private final AtomicLong now = new AtomicLong(TimeUnit.HOURS.toNanos(1));
    private PoolBreaker breaker = new PoolBreaker("test", POLICY, now::get);

    @AfterEach
    void close() {
        breaker.close();
    }

    @Test
    void failuresSpanningTheMinimumDurationOpenItAndTheNextCallIsRefusedWithoutRunning() {
        succeed(2);
        fail(1);
        advance(Duration.ofMillis(2100));
        fail(1);
        assertThat(breaker.state()).isEqualTo(BreakerState.OPEN);

        Flux<String> work = Flux.defer(() -> Flux.error(new AssertionError("a refused call must not run")));
        StepVerifier.create(breaker.protect(work))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(CircuitOpenException.class).hasMessageContaining("'test'"))
                .verify(WAIT);
    }

    @Test
    void aBurstOfFailuresWithinMillisecondsDoesNotOpenIt() {
        succeed(10);
        fail(64);
        advance(Duration.ofMillis(50));
        fail(10);
        assertThat(breaker.state()).as("87%% failures, but all within 50 ms: a restart's statements in flight")
                .isEqualTo(BreakerState.CLOSED);

        succeed(100);
        advance(Duration.ofSeconds(3));
        fail(1);
        assertThat(breaker.state()).as("the failures span 3 s now, but they are 41%% of the calls").isEqualTo(BreakerState.CLOSED);
    }

    @Test
    void aFailedCallThatWaitedLongerThanTheMinimumDurationSpansItAlone() {
        succeed(2);
        long start = now.get();
        advance(Duration.ofMillis(2500));
        fail(1);
        failStartedAt(start);
        assertThat(breaker.state()).as("an acquire that waited 2.5 s for a server that never came").isEqualTo(BreakerState.OPEN);
    }

    @Test
    void successesBeforeAnOutageAgeOutOfTheWindow() {
        succeed(1_000);
        for (int second = 1; second <= 4; second++) {
            advance(Duration.ofSeconds(1));
            fail(5);
            assertThat(breaker.state()).as("%d s into the outage, the successes are still in the window", second)
                    .isEqualTo(BreakerState.CLOSED);
        }
        advance(Duration.ofMillis(1500));
        fail(1);
        assertThat(breaker.state()).as("5.5 s in, only failures are left in the 5 s window").isEqualTo(BreakerState.OPEN);
    }

    @Test
    void errorsThatShowTheDatabaseAnswersCountAsSuccesses() {
        for (int i = 0; i < 4; i++) {
            StepVerifier.create(breaker.protect(Flux.error(new R2dbcBadGrammarException("syntax error", "42601"))))
                    .expectError(R2dbcBadGrammarException.class)
                    .verify(WAIT);
            advance(Duration.ofSeconds(1));
        }

        assertThat(breaker.state()).isEqualTo(BreakerState.CLOSED);
    }

    @Test
    void aCallCancelledBeforeItsFirstValueIsNotCounted() {
        fail(1);
        advance(Duration.ofMillis(2100));
        fail(2);
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
        fail(1);
        advance(Duration.ofMillis(2100));
        fail(2);
        assertThat(breaker.state()).as("3 failures of 7 calls").isEqualTo(BreakerState.CLOSED);

        fail(1);
        assertThat(breaker.state()).as("4 failures of 8 calls").isEqualTo(BreakerState.OPEN);
    }

    @Test
    void theFirstProbeThatSucceedsClosesItAndAFailedProbeOpensItAgain() {
        breaker.close();
        breaker = new PoolBreaker("test", POLICY.withWaitInOpenState(Duration.ofMillis(50)).withHalfOpenCalls(3), now::get);
        openIt();
        Await.until("half open", WAIT, () -> breaker.state() == BreakerState.HALF_OPEN);

        fail(1);
        assertThat(breaker.state()).as("a failed probe").isEqualTo(BreakerState.OPEN);
        Await.until("half open again", WAIT, () -> breaker.state() == BreakerState.HALF_OPEN);

        succeed(1);
        assertThat(breaker.state()).as("one probe succeeded, though three were allowed").isEqualTo(BreakerState.CLOSED);
        fail(3);
        assertThat(breaker.state()).as("the outage's failures were forgotten when it closed").isEqualTo(BreakerState.CLOSED);
    }

    @Test
    void transitionsArePublishedAsTheyHappen() {
        StepVerifier.create(breaker.transitions().take(1))
                .then(this::openIt)
                .assertNext(t -> {
                    assertThat(t.from()).isEqualTo(BreakerState.CLOSED);
                    assertThat(t.to()).isEqualTo(BreakerState.OPEN);
                })
                .expectComplete()
                .verify(WAIT);
    }

    private void openIt() {
        fail(2);
        advance(Duration.ofMillis(2100));
        fail(2);
        assertThat(breaker.state()).isEqualTo(BreakerState.OPEN);
    }

    private void advance(Duration duration) {
        now.addAndGet(duration.toNanos());
    }

    private void fail(int calls) {
        for (int i = 0; i < calls; i++) {
            StepVerifier.create(breaker.protect(Flux.error(new R2dbcNonTransientResourceException("connection refused", "08001"))))
                    .expectError(R2dbcNonTransientResourceException.class)
                    .verify(WAIT);
        }
    }

    /** A failed call that began at {@code start}, ending now. */
    private void failStartedAt(long start) {
        long end = now.get();
        now.set(start);
        TestPublisher<String> call = TestPublisher.create();
        StepVerifier.create(breaker.protect(call.flux()))
                .then(() -> {
                    now.set(end);
                    call.error(new R2dbcNonTransientResourceException("connection refused", "08001"));
                })
                .expectError(R2dbcNonTransientResourceException.class)
                .verify(WAIT);
    }

    private void succeed(int calls) {
        for (int i = 0; i < calls; i++) {
            StepVerifier.create(breaker.protect(Flux.just("ok"))).expectNext("ok").expectComplete().verify(WAIT);
        }
    }
}
