package dev.sluice.bench.jmh;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryMetadata;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * An R2DBC {@link ConnectionFactory} whose connections live in memory and answer at once, so a pool over it shows
 * its own cost of acquiring and releasing, with no network and no server. Only what a pool needs works (validation,
 * close, auto-commit state); statements are refused.
 */
public final class InMemoryConnectionFactory implements ConnectionFactory {

    private static final ConnectionFactoryMetadata METADATA = () -> "in-memory";

    private final AtomicInteger opened = new AtomicInteger();

    @Override
    public Publisher<? extends Connection> create() {
        return Mono.fromSupplier(() -> new InMemoryConnection(opened.incrementAndGet()));
    }

    @Override
    public ConnectionFactoryMetadata getMetadata() {
        return METADATA;
    }

    /** Connections created so far. */
    public int opened() {
        return opened.get();
    }
}
