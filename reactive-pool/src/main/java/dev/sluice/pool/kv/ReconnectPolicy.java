package dev.sluice.pool.kv;

import java.time.Duration;
import java.util.Objects;

import static dev.sluice.pool.kv.ConfigValues.describeDuration;
import static dev.sluice.pool.kv.ConfigValues.describeSize;

/**
 * How a NATS connection reconnects after it loses its server: how many attempts, how long it waits between two
 * passes over the server list (plus a random jitter), and how many bytes of outgoing messages it buffers while
 * disconnected. Operations issued while disconnected are buffered up to {@link #bufferSize()} and sent after the
 * reconnect (they still fail with {@link KvTimeoutException} if that takes longer than the request timeout); past
 * the buffer, or with a buffer of 0, they fail at once with {@link NotConnectedException}.
 *
 * <p>Validated by {@link NatsConfig.Builder#build()}.
 *
 * @param maxAttempts attempts before the connection closes for good; -1 for no limit, 0 for none
 * @param delay       pause between two passes over the server list (jnats' reconnect wait)
 * @param jitter      random extra pause, up to this much
 * @param bufferSize  bytes of outgoing messages kept while disconnected; 0 to fail at once
 */
public record ReconnectPolicy(int maxAttempts, Duration delay, Duration jitter, long bufferSize) {

    /** jnats' defaults: 60 attempts, 2 s apart with up to 100 ms of jitter, an 8 MB buffer. */
    public static final ReconnectPolicy DEFAULT = new ReconnectPolicy(60, Duration.ofSeconds(2), Duration.ofMillis(100), 8L * 1024 * 1024);

    /** @throws NullPointerException when a duration is null */
    public ReconnectPolicy {
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(jitter, "jitter");
    }

    /** This policy with another number of attempts. */
    public ReconnectPolicy withMaxAttempts(int attempts) {
        return new ReconnectPolicy(attempts, delay, jitter, bufferSize);
    }

    /** This policy with another delay between passes over the server list. */
    public ReconnectPolicy withDelay(Duration delay) {
        return new ReconnectPolicy(maxAttempts, delay, jitter, bufferSize);
    }

    /** This policy with another jitter. */
    public ReconnectPolicy withJitter(Duration jitter) {
        return new ReconnectPolicy(maxAttempts, delay, jitter, bufferSize);
    }

    /** This policy with another buffer size. */
    public ReconnectPolicy withBufferSize(long bytes) {
        return new ReconnectPolicy(maxAttempts, delay, jitter, bytes);
    }

    @Override
    public String toString() {
        return "ReconnectPolicy[attempts=" + (maxAttempts < 0 ? "unlimited" : maxAttempts) + " delay=" + describeDuration(delay)
                + " jitter=" + describeDuration(jitter) + " buffer=" + describeSize(bufferSize) + "]";
    }
}
