package dev.sluice.saga.internal;

import dev.sluice.pool.loop.TimedLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Renews the leases of the sagas running on this instance every third of the lease, in one statement (internal).
 * A renewal that fails is logged and tried again at the next tick; two missed ticks in a row still leave a third
 * of the lease.
 */
public final class LeaseKeeper implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LeaseKeeper.class);

    private final Disposable ticks;

    /**
     * Starts renewing at once.
     *
     * @param log     the log
     * @param owner   this instance's owner id
     * @param lease   the lease duration
     * @param running the ids of the sagas running here (read at each tick)
     */
    public LeaseKeeper(LogWriter log, String owner, Duration lease, Set<UUID> running) {
        this.ticks = TimedLoop.every(lease.dividedBy(3), "renewal of the leases of owner '" + owner + "'", LOG)
                .after(lease.dividedBy(3))
                .start(() -> log.sagas().renew(owner, List.copyOf(running), lease));
    }

    /** Stops renewing. */
    @Override
    public void close() {
        ticks.dispose();
    }
}
