package dev.sluice.health.internal;

import dev.sluice.health.HealthSample;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * The samples of one subject: the last {@code capacity} (the history), and those of the last rate window (the
 * baselines of rates), each oldest first. Safe to read from any thread while the sampler writes.
 */
public final class SubjectHistory {

    private final int capacity;
    private final Duration rateWindow;
    private final Deque<HealthSample> samples;
    private final Deque<HealthSample> window = new ArrayDeque<>();
    private int answered;

    /** A history keeping at most {@code capacity} samples, and the samples of the last {@code rateWindow}. */
    public SubjectHistory(int capacity, Duration rateWindow) {
        this.capacity = capacity;
        this.rateWindow = rateWindow;
        this.samples = new ArrayDeque<>(capacity);
    }

    /** Appends a sample, dropping the oldest when full. */
    public synchronized void add(HealthSample sample) {
        window.addLast(sample);
        if (samples.size() == capacity) {
            HealthSample dropped = samples.removeFirst();
            if (dropped.check().answered()) {
                answered--;
            }
        }
        samples.addLast(sample);
        if (sample.check().answered()) {
            answered++;
        }
    }

    /** The samples kept, oldest first. */
    public synchronized List<HealthSample> snapshot() {
        return List.copyOf(samples);
    }

    /**
     * The baseline of rates for a sample taken at {@code at}: the oldest sample taken within the rate window before
     * it. Samples older than that window are forgotten.
     */
    public synchronized Optional<HealthSample> baseline(Instant at) {
        Instant from = at.minus(rateWindow);
        while (!window.isEmpty() && window.peekFirst().at().isBefore(from)) {
            window.removeFirst();
        }
        return Optional.ofNullable(window.peekFirst());
    }

    /**
     * The share of answered checks if a sample whose check {@code nextAnswered} were added now, and how many checks
     * that counts (the kept samples that would remain, plus the new one).
     */
    public synchronized CheckTally tallyWith(boolean nextAnswered) {
        int count = samples.size();
        int ok = answered;
        if (count == capacity) {
            count--;
            if (samples.peekFirst().check().answered()) {
                ok--;
            }
        }
        count++;
        if (nextAnswered) {
            ok++;
        }
        return new CheckTally((double) ok / count, count);
    }

    /** A check success rate and the number of checks it counts. */
    public record CheckTally(double rate, int checks) {
    }
}
