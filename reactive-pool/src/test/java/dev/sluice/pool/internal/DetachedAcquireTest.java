package dev.sluice.pool.internal;

import io.r2dbc.spi.Connection;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The detached acquire's contract, on an acquire the test completes by hand. */
class DetachedAcquireTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void deliversTheConnectionAndLeavesItOpen() {
        AtomicInteger closes = new AtomicInteger();
        Connection connection = connection(closes);

        StepVerifier.create(new DetachedAcquire<>(Mono.just(connection)))
                .expectNext(connection)
                .expectComplete()
                .verify(WAIT);

        assertThat(closes).hasValue(0);
    }

    @Test
    void aConnectionThatArrivesAfterTheCallerCancelledIsClosed() {
        AtomicInteger closes = new AtomicInteger();
        AtomicInteger cancelledUpstream = new AtomicInteger();
        Sinks.One<Connection> pool = Sinks.one();
        Caller caller = new Caller(Long.MAX_VALUE);
        new DetachedAcquire<>(pool.asMono().doOnCancel(cancelledUpstream::incrementAndGet)).subscribe(caller);

        caller.cancel();
        pool.tryEmitValue(connection(closes));

        assertThat(cancelledUpstream).as("the caller's cancel does not reach the acquire").hasValue(0);
        assertThat(caller.received).isEmpty();
        assertThat(closes).as("the connection went back").hasValue(1);
    }

    @Test
    void aConnectionReadyBeforeTheCallerAsksIsClosedWhenTheCallerCancelsInstead() {
        AtomicInteger closes = new AtomicInteger();
        Caller caller = new Caller(0);
        new DetachedAcquire<>(Mono.just(connection(closes))).subscribe(caller);

        caller.cancel();

        assertThat(caller.received).isEmpty();
        assertThat(closes).hasValue(1);
    }

    @Test
    void aCallerThatCancelsOnSubscribeNeverStartsAnAcquire() {
        AtomicInteger subscribed = new AtomicInteger();

        new DetachedAcquire<>(Mono.<Connection>never().doOnSubscribe(s -> subscribed.incrementAndGet()))
                .subscribe(new BaseSubscriber<>() {
                    @Override
                    protected void hookOnSubscribe(Subscription subscription) {
                        subscription.cancel();
                    }
                });

        assertThat(subscribed).hasValue(0);
    }

    @Test
    void theAcquiresErrorReachesTheCaller() {
        StepVerifier.create(new DetachedAcquire<>(Mono.<Connection>error(new IllegalStateException("pool closed"))))
                .expectErrorMessage("pool closed")
                .verify(WAIT);
    }

    /** A caller that requests {@code initialRequest} at subscription and cancels when the test says so. */
    private static final class Caller extends BaseSubscriber<Connection> {
        private final long initialRequest;
        private final List<Connection> received = new CopyOnWriteArrayList<>();

        Caller(long initialRequest) {
            this.initialRequest = initialRequest;
        }

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            if (initialRequest > 0) {
                subscription.request(initialRequest);
            }
        }

        @Override
        protected void hookOnNext(Connection connection) {
            received.add(connection);
        }
    }

    /** A connection whose {@code close()} counts; nothing else is called on it. */
    private static Connection connection(AtomicInteger closes) {
        return (Connection) Proxy.newProxyInstance(DetachedAcquireTest.class.getClassLoader(), new Class<?>[]{Connection.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "close" -> Mono.<Void>empty().doOnSubscribe(s -> closes.incrementAndGet());
                    case "toString" -> "test connection";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
