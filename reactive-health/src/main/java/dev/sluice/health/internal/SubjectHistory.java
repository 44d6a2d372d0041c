package dev.sluice.health.internal;

import dev.sluice.health.HealthSample;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/** The last {@code capacity} samples of one subject, oldest first. Safe to read from any thread while the sampler writes. */
public final class SubjectHistory {

    private final int capacity;
    private final Deque<HealthSample> samples;
    private int answered;

    /** A history keeping at most {@code capacity} samples. */
    public SubjectHistory(int capacity) {
        this.capacity = capacity;
        this.samples = new ArrayDeque<>(capacity);
    }

    /** Appends a sample, dropping the oldest when full. */
    public synchronized void add(HealthSample sample) {
        if (samples.size() == capacity) {
            HealthSample dropped = samples.removeFirst();
            if (dropped.answered()) {
                answered--;
            }
        }
        samples.addLast(sample);
        if (sample.answered()) {
            answered++;
        }
    }

    /** The samples kept, oldest first. */
    public synchronized List<HealthSample> snapshot() {
        return List.copyOf(samples);
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
            if (samples.peekFirst().answered()) {
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
