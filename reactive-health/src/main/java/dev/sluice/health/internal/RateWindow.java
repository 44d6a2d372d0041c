package dev.sluice.health.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Statistics snapshots of one subject over the rate window, the baselines of its rates: the oldest snapshot taken
 * within the window before now. Used by one check, one round at a time.
 *
 * @param <S> the snapshot type
 */
final class RateWindow<S> {

    private record Entry<S>(Instant at, S stats) {
    }

    private final Duration window;
    private final Deque<Entry<S>> entries = new ArrayDeque<>();

    RateWindow(Duration window) {
        this.window = window;
    }

    /** The baseline for {@code stats} taken at {@code at} ({@code stats} itself when there is none), then records it. */
    synchronized S baselineThenAdd(Instant at, S stats) {
        Instant from = at.minus(window);
        while (!entries.isEmpty() && entries.peekFirst().at().isBefore(from)) {
            entries.removeFirst();
        }
        S base = entries.isEmpty() ? stats : entries.peekFirst().stats();
        entries.addLast(new Entry<>(at, stats));
        return base;
    }
}
