package dev.sluice.health.internal;

import dev.sluice.health.CheckResult;
import dev.sluice.health.Subject;
import dev.sluice.pool.PgPool;
import reactor.core.publisher.Mono;

/**
 * {@code SELECT 1} through a pool, acquire included, within the check's time limit. A pool whose connections are
 * all taken makes the check wait in line like any caller, but only up to the limit: then the waiting acquire is
 * cancelled and the result is UNHEALTHY. A pool that is shutting down is UNHEALTHY without a query.
 */
public final class PoolCheck {

    private final TimedCheck timed;

    /** A pool check with this timing. */
    public PoolCheck(TimedCheck timed) {
        this.timed = timed;
    }

    /** Cold; emits the result, never fails, ends within the time limit. */
    public Mono<CheckResult> run(PgPool pool) {
        Subject subject = Subject.pool(pool.name());
        return Mono.defer(() -> pool.isClosing()
                ? Mono.just(timed.failedAtOnce(subject, "pool is shutting down"))
                : timed.run(subject, pool.queryOne("SELECT 1", row -> row.get(0, Integer.class))));
    }
}
