package dev.sluice.bench.load;

import dev.sluice.bench.Progress;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A closed loop of blocking callers: one platform thread per caller, each running its operations one after
 * another until the measurement is over, the way a thread-per-request application uses HikariCP or jnats.
 */
public final class BlockingLoad {

    private static final Duration GRACE = Duration.ofSeconds(1);
    private static final Duration STOP_WAIT = Duration.ofSeconds(60);

    /** One blocking operation, given the caller's index. */
    @FunctionalInterface
    public interface Call {
        /** Runs the operation; an exception counts as a failed operation. */
        void run(int caller) throws Exception;
    }

    /**
     * One operation of a caller's cycle.
     *
     * @param name the operation's name (for per-operation latencies when a cycle has several)
     * @param call the operation
     */
    public record Step(String name, Call call) {
    }

    private BlockingLoad() {
    }

    /**
     * Starts one thread per caller, each cycling through {@code steps}, runs the warm-up and the window, then stops
     * the threads.
     *
     * @throws LoadNotStartedException when the JVM cannot start that many threads; those started are stopped first
     */
    public static Measurement run(String system, LoadPlan plan, List<Step> steps, Progress progress) throws InterruptedException {
        LatencyRecorder recorder = new LatencyRecorder(steps.stream().map(Step::name).toList());
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> threads = new ArrayList<>(plan.callers());
        CountDownLatch started = new CountDownLatch(1);
        try {
            for (int i = 0; i < plan.callers(); i++) {
                int caller = i;
                Thread thread = new Thread(() -> {
                    if (awaitStart(started)) {
                        loop(steps, caller, recorder, running);
                    }
                }, system + "-caller-" + i);
                thread.setDaemon(true);
                try {
                    thread.start();
                } catch (OutOfMemoryError e) {
                    throw new LoadNotStartedException("the JVM could start only " + threads.size() + " of " + plan.callers()
                            + " threads: " + e.getMessage(), e);
                }
                threads.add(thread);
            }
            started.countDown();
            return MeasurementWindow.measure(system, plan, recorder, progress);
        } finally {
            running.set(false);
            started.countDown();
            stop(system, threads, progress);
        }
    }

    /**
     * Lets every caller finish its current operation; callers still blocked after {@link #GRACE} (waiting in a pool's
     * queue, say) are interrupted, so a turn does not end at the pace of the slowest waiter's timeout.
     */
    private static void stop(String system, List<Thread> threads, Progress progress) throws InterruptedException {
        long graceEnd = System.nanoTime() + GRACE.toNanos();
        for (Thread thread : threads) {
            thread.join(Math.max(1, (graceEnd - System.nanoTime()) / 1_000_000));
        }
        threads.stream().filter(Thread::isAlive).forEach(Thread::interrupt);
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        int busy = 0;
        for (Thread thread : threads) {
            thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            if (thread.isAlive()) {
                busy++;
            }
        }
        if (busy > 0) {
            progress.note(system + ": " + busy + " caller threads were still busy " + (GRACE.plus(STOP_WAIT)).toSeconds()
                    + " s after the end of the measurement");
        }
    }

    /** Callers wait until every thread is started, so starting thousands of them does not compete with their work. */
    private static boolean awaitStart(CountDownLatch started) {
        try {
            started.await();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void loop(List<Step> steps, int caller, LatencyRecorder recorder, AtomicBoolean running) {
        while (running.get()) {
            for (Step step : steps) {
                long start = System.nanoTime();
                try {
                    step.call().run(caller);
                    recorder.success(step.name(), System.nanoTime() - start);
                } catch (Exception e) {
                    recorder.failure(e);
                }
            }
        }
    }
}
