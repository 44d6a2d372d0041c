package dev.sluice.testkit;

import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A running NATS server with JetStream that a test may use, whatever its {@link ServerSource}.
 *
 * <p>Tests share the server but not its buckets: each asks for unique names with {@link #uniqueName(String)}.
 */
public final class NatsServer {

    private static final AtomicInteger NAME_COUNTER = new AtomicInteger();

    private final ServerSource source;
    private final String url;

    /**
     * @param source where the server came from
     * @param url    its client URL, {@code nats://host:port}
     */
    public NatsServer(ServerSource source, String url) {
        this.source = Objects.requireNonNull(source, "source");
        this.url = Objects.requireNonNull(url, "url");
    }

    /** Where this server came from. */
    public ServerSource source() {
        return source;
    }

    /** The client URL, {@code nats://host:port}. */
    public String url() {
        return url;
    }

    /**
     * A bucket or stream name no other test of this JVM will use: {@code <prefix>-<n>-<random>}, made of
     * characters JetStream accepts in bucket names.
     */
    public String uniqueName(String prefix) {
        String label = prefix == null ? "t" : prefix.replaceAll("[^A-Za-z0-9_-]", "");
        return label.toLowerCase(Locale.ROOT) + "-" + NAME_COUNTER.incrementAndGet() + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xFFFFFF));
    }

    @Override
    public String toString() {
        return "NatsServer[" + source + " " + url + "]";
    }
}
