package dev.sluice.demo;

import reactor.core.publisher.Mono;

/**
 * One kind of work the demo's workload runs, one unit at a time: an order written to PostgreSQL, a session kept in
 * KV, a checkout saga across both, a report on the analytics pool.
 */
interface Traffic {

    /** A short name for the summary, such as {@code orders}. */
    String name();

    /** Cold: one unit of work, the {@code n}-th of this worker. */
    Mono<Void> once(long n);
}
