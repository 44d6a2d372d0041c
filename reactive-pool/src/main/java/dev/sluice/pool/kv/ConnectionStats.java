package dev.sluice.pool.kv;

import java.time.Duration;
import java.util.Optional;

/**
 * The state of one connection of the pool.
 *
 * @param index      its index in the pool (0-based)
 * @param status     jnats' status: CONNECTED, DISCONNECTED, RECONNECTING, CLOSED, ...
 * @param server     the server it is connected to, user information removed; null when not connected
 * @param reconnects reconnects since it was opened
 * @param roundTrip  the last measured round-trip time to the server, if one was measured
 * @param operations operations sent on it since it was opened
 * @param inFlight   operations sent on it and not yet answered
 */
public record ConnectionStats(int index, String status, String server, long reconnects, Optional<Duration> roundTrip, long operations,
                              long inFlight) {
}
