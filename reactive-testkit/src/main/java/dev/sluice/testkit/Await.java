package dev.sluice.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting in tests for something that becomes true asynchronously, with a bound instead of a fixed sleep. */
public final class Await {

    private Await() {
    }

    /**
     * Blocks until {@code condition} holds, checking every 20 ms.
     *
     * @throws AssertionError naming {@code what} when it still does not hold after {@code timeout}
     */
    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for: " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
