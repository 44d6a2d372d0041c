package dev.sluice.health;

import dev.sluice.pool.BreakerState;
import dev.sluice.pool.PoolRole;
import dev.sluice.pool.PoolStats;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Pool samples made up for rule tests, stamped with the current (possibly virtual) time of the parallel scheduler. */
public final class TestSamples {

    private static final AtomicLong IDS = new AtomicLong();

    private TestSamples() {
    }

    /** A builder of one pool sample of pool {@code pool}. */
    public static Pool pool(String pool) {
        return new Pool(pool);
    }

    /** Builds a {@link PoolSample}; unset values are those of an idle, healthy pool of 100. */
    public static final class Pool {
        private final String name;
        private int active;
        private int pending;
        private int max = 100;
        private HealthStatus status = HealthStatus.HEALTHY;
        private BreakerState breaker = BreakerState.CLOSED;
        private Duration acquireMean = Duration.ZERO;
        private long acquires;
        private double errorRate;
        private long attempts;
        private Instant at;

        private Pool(String name) {
            this.name = name;
        }

        public Pool active(int active) {
            this.active = active;
            return this;
        }

        public Pool utilisation(double share) {
            this.active = (int) Math.round(share * max);
            return this;
        }

        public Pool pending(int pending) {
            this.pending = pending;
            return this;
        }

        public Pool status(HealthStatus status) {
            this.status = status;
            return this;
        }

        public Pool breaker(BreakerState breaker) {
            this.breaker = breaker;
            return this;
        }

        public Pool acquireMean(Duration mean, long acquires) {
            this.acquireMean = mean;
            this.acquires = acquires;
            return this;
        }

        public Pool errorRate(double rate, long attempts) {
            this.errorRate = rate;
            this.attempts = attempts;
            return this;
        }

        public Pool at(Instant at) {
            this.at = at;
            return this;
        }

        public PoolSample build() {
            Instant when = at != null ? at : Instant.ofEpochMilli(Schedulers.parallel().now(TimeUnit.MILLISECONDS));
            Subject subject = Subject.pool(name);
            CheckResult check = new CheckResult(subject, status, Duration.ofMillis(status == HealthStatus.UNHEALTHY ? 1000 : 2),
                    status == HealthStatus.UNHEALTHY ? Optional.of("no answer within the check's time limit of 1000 ms") : Optional.empty(), when);
            PoolStats stats = new PoolStats(name, PoolRole.PRIMARY, active, active, 0, pending, max, active, 0, 0, 0, 0, 0, 0,
                    acquires, 0, 0, 0, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, 0, List.of(), Map.of(), breaker,
                    acquireMean.multipliedBy(acquires), 0, 0);
            return new PoolSample(IDS.incrementAndGet(), 1, when, subject, PoolRole.PRIMARY, check, active, active, 0, pending, max,
                    max == 0 ? 0 : (double) active / max, Duration.ZERO, acquireMean, acquires, 0, errorRate, attempts,
                    status == HealthStatus.UNHEALTHY ? 0 : 1, 1, breaker, stats);
        }
    }
}
