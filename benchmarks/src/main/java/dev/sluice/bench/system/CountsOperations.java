package dev.sluice.bench.system;

/**
 * A system that counts every operation it completes successfully, warm-up and stop included, over its whole life,
 * so that what a server counted during a turn (see {@link PgActivityProbe}) can be divided by the operations behind
 * it: the measurement window alone would miss the work done while the system warmed up and stopped.
 */
public interface CountsOperations {

    /** Operations completed successfully since the system was created. Safe to call from any thread. */
    long operationsCompleted();
}
