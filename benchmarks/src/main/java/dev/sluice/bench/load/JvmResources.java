package dev.sluice.bench.load;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;

/** Threads and heap of the benchmark JVM, as the load scenarios report them. */
public final class JvmResources {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private JvmResources() {
    }

    /** Live threads now. */
    public static int liveThreads() {
        return THREADS.getThreadCount();
    }

    /** Starts a new peak: from now on {@link #peakThreads()} counts from the threads alive now. */
    public static void resetPeakThreads() {
        THREADS.resetPeakThreadCount();
    }

    /** The most threads alive at once since {@link #resetPeakThreads()}, short-lived ones included. */
    public static int peakThreads() {
        return THREADS.getPeakThreadCount();
    }

    /**
     * CPU time the whole JVM has used so far, all threads (the JIT compiler and the collector included), in
     * nanoseconds; -1 when the platform does not tell.
     */
    public static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    /**
     * Heap in use right after a full collection: what the running system really holds. Asks for the collection
     * itself ({@link System#gc()}), so call it only outside a measurement window.
     */
    public static long heapAfterCollection() {
        System.gc();
        return MEMORY.getHeapMemoryUsage().getUsed();
    }
}
