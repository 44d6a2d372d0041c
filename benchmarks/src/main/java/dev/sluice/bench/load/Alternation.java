package dev.sluice.bench.load;

import dev.sluice.bench.Progress;
import dev.sluice.bench.report.SystemResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Measures several systems in the same run, taking turns: round 1 in the given order, round 2 in the reverse order,
 * and so on, so a drift of the shared machine (another build starting, the server's caches warming) does not
 * favour one system. Each turn is one {@link LoadSystem#measure} (its own warm-up and window); a system's turns are
 * merged into one result.
 */
public final class Alternation {

    /** Between two turns: the last client has closed, its server sessions end. */
    private static final Duration PAUSE = Duration.ofMillis(100);

    /** Kinds of system ({@link LoadSystem#jitKey()}) that have had their first, longer warm-up in this JVM. */
    private static final Set<Object> WARMED = ConcurrentHashMap.newKeySet();

    private Alternation() {
    }

    /**
     * Runs the rounds and returns one result per system, in the order given. The first turn of each kind of system
     * ({@link LoadSystem#jitKey()}) in
     * this JVM warms up for {@code firstWarmup} (when that is longer than the plan's), so the JIT has compiled its
     * paths before anything of it is measured, whichever scenario comes first; a system that does not run in this JVM
     * ({@link LoadSystem#runsInThisJvm()}) keeps the plan's warm-up.
     * A system that is unavailable, cannot
     * take the load, or fails is not tried again in later rounds; it is reported as skipped with the reason, or,
     * when earlier rounds of it were measured, with those rounds and the reason in its details
     * ({@code failedLaterRound}).
     */
    public static List<SystemResult> run(List<? extends LoadSystem> systems, LoadPlan plan, int rounds, Duration firstWarmup,
                                         Progress progress) throws InterruptedException {
        Map<String, List<Measurement>> windows = new LinkedHashMap<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        for (LoadSystem system : systems) {
            windows.put(system.name(), new ArrayList<>());
            system.unavailable().ifPresent(reason -> skipped.put(system.name(), reason));
        }
        for (int round = 1; round <= rounds; round++) {
            List<LoadSystem> order = new ArrayList<>(systems);
            if (round % 2 == 0) {
                java.util.Collections.reverse(order);
            }
            for (LoadSystem system : order) {
                if (skipped.containsKey(system.name())) {
                    continue;
                }
                progress.system(system.name(), round, rounds);
                LoadPlan turn = system.runsInThisJvm() && WARMED.add(system.jitKey()) && firstWarmup.compareTo(plan.warmup()) > 0
                        ? new LoadPlan(plan.callers(), firstWarmup, plan.duration()) : plan;
                long turnStart = System.nanoTime();
                try {
                    windows.get(system.name()).add(measureOnce(system, turn, progress));
                } catch (LoadNotStartedException e) {
                    skipped.put(system.name(), "could not run with " + plan.callers() + " callers: " + e.getMessage());
                } catch (InterruptedException e) {
                    throw e;
                } catch (Exception e) {
                    skipped.put(system.name(), "failed: " + e);
                }
                progress.result(system.name(), windows.get(system.name()), skipped.get(system.name()),
                        Duration.ofNanos(System.nanoTime() - turnStart));
                Thread.sleep(PAUSE.toMillis());
            }
        }
        List<SystemResult> results = new ArrayList<>();
        for (LoadSystem system : systems) {
            List<Measurement> measured = windows.get(system.name());
            String reason = skipped.get(system.name());
            if (reason != null && measured.isEmpty()) {
                results.add(SystemResult.skipped(system.name(), reason));
            } else if (reason != null) {
                SystemResult partial = Measurement.merge(measured).toResult(system.name());
                Map<String, Object> details = new LinkedHashMap<>(partial.details());
                details.put("failedLaterRound", reason);
                results.add(new SystemResult(partial.name(), partial.opsPerSec(), partial.p50Ms(), partial.p99Ms(), partial.maxMs(),
                        partial.errors(), partial.peakThreads(), partial.heapBytes(), null, details));
            } else {
                results.add(Measurement.merge(measured).toResult(system.name()));
            }
        }
        return results;
    }

    /** One turn of one system, with the threads alive before it opened. */
    private static Measurement measureOnce(LoadSystem system, LoadPlan plan, Progress progress) throws Exception {
        int before = JvmResources.liveThreads();
        JvmResources.resetPeakThreads();
        Measurement m = system.measure(plan, progress);
        return m.threadsAdded() >= 0 ? m : m.withThreadsBefore(before);
    }
}
