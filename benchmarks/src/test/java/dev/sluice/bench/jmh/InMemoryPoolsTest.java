package dev.sluice.bench.jmh;

import dev.sluice.pool.PgPool;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Connection;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class InMemoryPoolsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void sluicesPoolReusesTheInMemoryConnectionsAndReleasesEveryOne() {
        InMemoryConnectionFactory factory = new InMemoryConnectionFactory();
        PgPool pool = InMemoryPools.sluice(factory, 4, true);
        try {
            pool.warmup().block(WAIT);

            Long completed = Flux.range(0, 1_000)
                    .flatMap(i -> pool.withConnection(c -> Mono.just(c.isAutoCommit())), 16)
                    .count().block(WAIT);

            assertThat(completed).isEqualTo(1_000);
            assertThat(factory.opened()).isEqualTo(4);
            assertThat(pool.stats().acquired()).isZero();
        } finally {
            pool.stop().block(WAIT);
        }
    }

    @Test
    void theRawPoolOverTheSameFactoryAlsoKeepsItsSize() {
        InMemoryConnectionFactory factory = new InMemoryConnectionFactory();
        ConnectionPool raw = InMemoryPools.raw(factory, 4);
        try {
            raw.warmup().block(WAIT);
            Long completed = Flux.range(0, 1_000)
                    .flatMap(i -> Flux.usingWhen(raw.create(), c -> Mono.just(c.isAutoCommit()), Connection::close), 16)
                    .count().block(WAIT);

            assertThat(completed).isEqualTo(1_000);
            assertThat(factory.opened()).isEqualTo(4);
            assertThat(raw.getMetrics().orElseThrow().acquiredSize()).isZero();
        } finally {
            raw.dispose();
        }
    }
}
