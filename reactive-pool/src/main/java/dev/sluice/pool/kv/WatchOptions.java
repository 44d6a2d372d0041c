package dev.sluice.pool.kv;

import java.time.Duration;

/**
 * How {@link KvStore#watch(String, WatchOptions)} starts and what it emits. By default a watch first emits the
 * last entry of each matching key (including delete markers), then every change.
 *
 * @param includeHistory start with every revision still kept, not only the last one of each key
 * @param ignoreDeletes  leave out delete and purge markers
 * @param updatesOnly    start with nothing: emit only changes made after the watch started
 * @param heartbeat      how often the server signals an idle watch; after three missed signals the watch re-creates
 *                       its server-side consumer from the last revision it emitted (so it survives a server restart)
 * @param bufferSize     entries kept for a subscriber that does not keep up; past that the watch fails with
 *                       {@code reactor.core.Exceptions#failWithOverflow} ({@code OverflowException})
 */
public record WatchOptions(boolean includeHistory, boolean ignoreDeletes, boolean updatesOnly, Duration heartbeat, int bufferSize) {

    /** Last entry per key, then changes; deletes included; 5 s heartbeat; 10,000 buffered entries. */
    public static final WatchOptions DEFAULT = new WatchOptions(false, false, false, Duration.ofSeconds(5), 10_000);

    /**
     * @throws IllegalArgumentException when both includeHistory and updatesOnly are set, the heartbeat is outside
     *                                  100ms-1m, or the buffer outside 1-10,000,000
     */
    public WatchOptions {
        if (includeHistory && updatesOnly) {
            throw new IllegalArgumentException("includeHistory and updatesOnly exclude each other: choose one");
        }
        if (heartbeat == null || heartbeat.toMillis() < 100 || heartbeat.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("heartbeat = " + heartbeat + " is out of range: 100ms to 1m");
        }
        if (bufferSize < 1 || bufferSize > 10_000_000) {
            throw new IllegalArgumentException("bufferSize = " + bufferSize + " is out of range: 1 to 10000000");
        }
    }

    /** These options, starting with every revision still kept. */
    public WatchOptions withIncludeHistory() {
        return new WatchOptions(true, ignoreDeletes, false, heartbeat, bufferSize);
    }

    /** These options, leaving out delete and purge markers. */
    public WatchOptions withIgnoreDeletes() {
        return new WatchOptions(includeHistory, true, updatesOnly, heartbeat, bufferSize);
    }

    /** These options, emitting only changes made after the watch started. */
    public WatchOptions withUpdatesOnly() {
        return new WatchOptions(false, ignoreDeletes, true, heartbeat, bufferSize);
    }

    /** These options with another heartbeat. */
    public WatchOptions withHeartbeat(Duration heartbeat) {
        return new WatchOptions(includeHistory, ignoreDeletes, updatesOnly, heartbeat, bufferSize);
    }

    /** These options with another buffer size. */
    public WatchOptions withBufferSize(int bufferSize) {
        return new WatchOptions(includeHistory, ignoreDeletes, updatesOnly, heartbeat, bufferSize);
    }
}
