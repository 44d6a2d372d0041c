package dev.sluice.pool;

import java.time.Instant;

/**
 * A change of a pool's circuit-breaker state.
 *
 * @param pool the pool
 * @param from the state before
 * @param to   the state after
 * @param at   when it changed
 */
public record BreakerTransition(String pool, BreakerState from, BreakerState to, Instant at) {
}
