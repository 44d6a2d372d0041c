package dev.sluice.pool;

import java.time.Duration;
import java.time.Instant;

/**
 * A connection held longer than the pool's leak-detection threshold.
 *
 * @param pool       the pool's name
 * @param acquiredAt when the connection was acquired
 * @param heldFor    how long it had been held when reported
 * @param thread     the thread that asked for it
 * @param callSite   the stack of the call that asked for it
 */
public record LeakReport(String pool, Instant acquiredAt, Duration heldFor, String thread, String callSite) {
}
