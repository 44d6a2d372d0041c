package dev.sluice.demo;

import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs the demo's traffic: request workers that take turns through a mix of traffic, as many at each moment as the
 * {@link LoadShape} says, and steady background loops (one caller each, with a pause). Failures are counted by type,
 * never thrown: a saturated pool's {@code PoolExhaustedException} is part of the show.
 */
final class Workload implements AutoCloseable {

    private static final Duration IDLE_POLL = Duration.ofMillis(100);

    /** Successes and failures of one traffic. */
    static final class Counts {
        final LongAdder ok = new LongAdder();
        final Map<String, LongAdder> failures = new ConcurrentHashMap<>();

        long failed() {
            return failures.values().stream().mapToLong(LongAdder::sum).sum();
        }
    }

    private final List<Traffic> requests;
    private final List<Traffic> background;
    private final Duration backgroundPause;
    private final LoadShape shape;
    private final Map<String, Counts> counts = new LinkedHashMap<>();
    private final AtomicInteger callers = new AtomicInteger();
    private final AtomicInteger peakCallers = new AtomicInteger();
    private final Disposable.Composite running = Disposables.composite();
    private long startNanos;

    Workload(List<Traffic> requests, List<Traffic> background, Duration backgroundPause, LoadShape shape) {
        this.requests = List.copyOf(requests);
        this.background = List.copyOf(background);
        this.backgroundPause = backgroundPause;
        this.shape = shape;
        for (Traffic t : requests) {
            counts.put(t.name(), new Counts());
        }
        for (Traffic t : background) {
            counts.put(t.name(), new Counts());
        }
    }

    /** Starts every worker; returns at once. */
    void start() {
        startNanos = System.nanoTime();
        running.add(Flux.range(0, shape.peak()).flatMap(this::requestWorker, shape.peak()).subscribe());
        for (Traffic t : background) {
            running.add(Flux.defer(() -> run(t, 0)).concatWith(Mono.delay(backgroundPause).then()).repeat().subscribe());
        }
    }

    private Flux<Void> requestWorker(int worker) {
        long[] n = {worker};
        return Flux.defer(() -> {
            int wanted = shape.callersAt(Duration.ofNanos(System.nanoTime() - startNanos));
            callers.set(wanted);
            peakCallers.accumulateAndGet(wanted, Math::max);
            if (worker >= wanted) {
                return Mono.delay(IDLE_POLL).then();
            }
            Traffic traffic = requests.get((int) (n[0]++ % requests.size()));
            return run(traffic, n[0]);
        }).repeat();
    }

    private Mono<Void> run(Traffic traffic, long n) {
        Counts c = counts.get(traffic.name());
        return traffic.once(n)
                .doOnSuccess(v -> c.ok.increment())
                .onErrorResume(error -> {
                    c.failures.computeIfAbsent(error.getClass().getSimpleName(), k -> new LongAdder()).increment();
                    return Mono.empty();
                });
    }

    /** Callers the shape wants now. */
    int callers() {
        return callers.get();
    }

    /** The most callers the shape wanted so far. */
    int peakCallers() {
        return peakCallers.get();
    }

    /** Counts by traffic name, in the order given. */
    Map<String, Counts> counts() {
        return counts;
    }

    /** Stops every worker; work in flight is cancelled (its connections go back to their pools). */
    @Override
    public void close() {
        running.dispose();
    }
}
