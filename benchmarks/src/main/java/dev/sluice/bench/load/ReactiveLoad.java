package dev.sluice.bench.load;

import dev.sluice.bench.Progress;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;

/**
 * A closed loop of reactive callers: each caller subscribes to its operation, and when that ends (value, empty or
 * error) subscribes to the next, until the measurement is over. No thread is started for the callers: the
 * operations run on whatever threads the system under test uses.
 */
public final class ReactiveLoad {

    private static final Duration STOP_WAIT = Duration.ofSeconds(60);

    /**
     * One operation of a caller's cycle.
     *
     * @param name the operation's name (for per-operation latencies when a cycle has several)
     * @param call makes the cold publisher of one operation, given the caller's index
     */
    public record Step(String name, IntFunction<Mono<?>> call) {
    }

    private ReactiveLoad() {
    }

    /**
     * Runs {@code plan.callers()} callers, each cycling through {@code steps} in order, through the warm-up and the
     * window; then lets every caller finish its current operation.
     *
     * @return the window's measurement; its details say when callers did not stop within a minute
     */
    public static Measurement run(String system, LoadPlan plan, List<Step> steps, Progress progress) throws InterruptedException {
        LatencyRecorder recorder = new LatencyRecorder(steps.stream().map(Step::name).toList());
        AtomicBoolean running = new AtomicBoolean(true);
        CountDownLatch stopped = new CountDownLatch(plan.callers());
        try {
            for (int i = 0; i < plan.callers(); i++) {
                cycle(steps, i, recorder).repeat(running::get).subscribe(null, error -> stopped.countDown(), stopped::countDown);
            }
            return MeasurementWindow.measure(system, plan, recorder, progress);
        } finally {
            running.set(false);
            if (!stopped.await(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                progress.note(system + ": " + stopped.getCount() + " callers were still busy " + STOP_WAIT.toSeconds()
                        + " s after the end of the measurement");
            }
        }
    }

    private static Mono<Void> cycle(List<Step> steps, int caller, LatencyRecorder recorder) {
        if (steps.size() == 1) {
            return timed(steps.get(0), caller, recorder);
        }
        return Flux.fromIterable(steps).concatMap(step -> timed(step, caller, recorder)).then();
    }

    private static Mono<Void> timed(Step step, int caller, LatencyRecorder recorder) {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            return step.call().apply(caller)
                    .doOnSuccess(value -> recorder.success(step.name(), System.nanoTime() - start))
                    .then()
                    .onErrorResume(error -> {
                        recorder.failure(error);
                        return Mono.empty();
                    });
        });
    }
}
