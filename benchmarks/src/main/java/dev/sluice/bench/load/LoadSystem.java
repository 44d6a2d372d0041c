package dev.sluice.bench.load;

import dev.sluice.bench.Progress;

import java.util.Optional;

/**
 * One system a scenario measures (Sluice or a peer): it opens its client, runs the plan's callers through a
 * warm-up and a measurement window, and closes its client again, so every window starts from the same state and
 * the threads it adds can be counted.
 */
public interface LoadSystem {

    /** The system's name in the results. */
    String name();

    /** Why this system cannot run on this machine (a tool is missing, say), or empty when it can. */
    default Optional<String> unavailable() {
        return Optional.empty();
    }

    /**
     * Whether the system's code runs in this JVM, so that its first turn needs the longer warm-up that lets the JIT
     * compile it ({@code BenchOptions#firstWarmup()}). A system run as a child process, such as pgbench, does not.
     */
    default boolean runsInThisJvm() {
        return true;
    }

    /**
     * What the JIT has to compile for this system: the first turn of each key in the JVM gets the longer first
     * warm-up. By default the system's class, so that every scenario's turns of one kind of client share it; a system
     * that runs more code than others of its class (a pool with health monitoring attached, say) has a key of its own.
     */
    default Object jitKey() {
        return getClass();
    }

    /**
     * Opens the system, runs one warm-up and one measurement window with {@code plan}, and closes it. Blocking.
     *
     * @throws LoadNotStartedException when the system cannot take this load at all (not enough threads, say)
     * @throws Exception               when the system fails to open or close
     */
    Measurement measure(LoadPlan plan, Progress progress) throws Exception;
}
