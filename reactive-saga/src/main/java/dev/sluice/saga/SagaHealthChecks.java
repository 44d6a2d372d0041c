package dev.sluice.saga;

import dev.sluice.pool.PgPool;
import dev.sluice.pool.check.CheckResult;
import dev.sluice.pool.check.HealthCheck;
import dev.sluice.pool.check.HealthStatus;
import dev.sluice.pool.check.Reading;
import io.r2dbc.spi.Row;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Health checks of a {@link SagaLog}, as {@link HealthCheck}s any health monitor can run (reactive-health's
 * {@code HealthConfig.builder().checks(SagaHealthChecks.of(log).all())}); this module does not depend on one.
 * Each check is one query on the log's database and counts only: it locks nothing and changes nothing.
 *
 * <table>
 *   <caption>Checks, their readings and default thresholds (a reading at or above a threshold gives that status)</caption>
 *   <tr><th>kind</th><th>readings</th><th>DEGRADED from</th><th>UNHEALTHY from</th></tr>
 *   <tr><td>{@code saga.outbox}</td><td>{@code saga.outbox.undelivered} (rows the relay has not delivered to KV),
 *       {@code saga.outbox.oldest.age} (ms since the oldest of them was written; 0 when none)</td>
 *       <td>1,000 rows or 1 min</td><td>10,000 rows or 10 min</td></tr>
 *   <tr><td>{@code saga.intervention}</td><td>{@code saga.intervention.queued} (sagas waiting for manual intervention),
 *       {@code saga.intervention.oldest.age} (ms since the oldest was queued)</td><td>1 saga</td><td>100 sagas</td></tr>
 *   <tr><td>{@code saga.lease}</td><td>{@code saga.lease.expired} (running or compensating sagas whose lease expired
 *       more than the grace period ago and that no recovery has taken over), {@code saga.lease.expired.age} (ms since
 *       the longest-expired lease ran out)</td><td>1 saga</td><td>100 sagas</td></tr>
 * </table>
 *
 * <p>The grace period (30 s by default) lets a recovery pass find a lease that has just expired before the check
 * counts it. Every check's name is the log's saga table ({@code sluice.saga} by default) and its meters carry the tag
 * {@code log} with that name. These are conditions of the whole system, not of one instance: register their kinds
 * outside readiness (reactive-health's {@code outsideReadiness(SagaHealthChecks.KINDS)}) unless one instance
 * should leave rotation for them.
 */
public final class SagaHealthChecks {

    /** The kind of the outbox check. */
    public static final String OUTBOX = "saga.outbox";
    /** The kind of the manual-intervention check. */
    public static final String INTERVENTION = "saga.intervention";
    /** The kind of the expired-lease check. */
    public static final String LEASE = "saga.lease";
    /** The three kinds, in the order of {@link #all()}. */
    public static final String[] KINDS = {OUTBOX, INTERVENTION, LEASE};

    private static final String OUTBOX_SQL = """
            SELECT count(*) AS n,
                   COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)) * 1000, 0)::float8 AS age_ms
            FROM %s
            WHERE delivered_at IS NULL""";

    private static final String INTERVENTION_SQL = """
            SELECT count(*) AS n,
                   COALESCE(EXTRACT(EPOCH FROM now() - min(queued_at)) * 1000, 0)::float8 AS age_ms
            FROM %s
            WHERE resolved_at IS NULL""";

    private static final String LEASE_SQL = """
            SELECT count(*) AS n,
                   COALESCE(EXTRACT(EPOCH FROM now() - min(lease_until)) * 1000, 0)::float8 AS age_ms
            FROM %s
            WHERE state IN ('RUNNING', 'COMPENSATING')
              AND lease_until < now() - $1::bigint * interval '1 millisecond'""";

    private final HealthCheck outbox;
    private final HealthCheck interventions;
    private final HealthCheck leases;

    private SagaHealthChecks(Builder b) {
        PgPool pool = b.log.pool();
        String schema = b.log.config().schema();
        String prefix = b.log.config().tablePrefix();
        String name = schema + "." + prefix + "saga";
        Optional<Duration> limit = Optional.ofNullable(b.timeLimit);
        this.outbox = new Count(OUTBOX, name, limit, () -> pool.queryOne(OUTBOX_SQL.formatted(schema + "." + prefix + "saga_outbox"), Count::read),
                "saga.outbox.undelivered", "undelivered outbox rows", b.outboxDegraded, b.outboxUnhealthy,
                "saga.outbox.oldest.age", "the oldest undelivered outbox row's age", b.outboxAgeDegraded, b.outboxAgeUnhealthy);
        this.interventions = new Count(INTERVENTION, name, limit,
                () -> pool.queryOne(INTERVENTION_SQL.formatted(schema + "." + prefix + "saga_intervention"), Count::read),
                "saga.intervention.queued", "sagas waiting for manual intervention", b.interventionDegraded, b.interventionUnhealthy,
                "saga.intervention.oldest.age", null, null, null);
        long graceMillis = b.leaseGrace.toMillis();
        this.leases = new Count(LEASE, name, limit,
                () -> pool.queryOne(LEASE_SQL.formatted(name), Count::read, graceMillis),
                "saga.lease.expired", "sagas whose lease expired over " + graceMillis + " ms ago without recovery",
                b.leaseDegraded, b.leaseUnhealthy, "saga.lease.expired.age", null, null, null);
    }

    /** The checks of {@code log} with the default thresholds. */
    public static SagaHealthChecks of(SagaLog log) {
        return builder(log).build();
    }

    /** A builder of the checks of {@code log}, with the default thresholds. */
    public static Builder builder(SagaLog log) {
        return new Builder(Objects.requireNonNull(log, "log"));
    }

    /** The outbox backlog: undelivered rows and the age of the oldest. */
    public HealthCheck outbox() {
        return outbox;
    }

    /** The manual-intervention queue: sagas whose compensation failed, not yet resolved. */
    public HealthCheck interventions() {
        return interventions;
    }

    /** Expired leases not yet recovered: sagas whose owner stopped and that no instance has taken over. */
    public HealthCheck leases() {
        return leases;
    }

    /** The outbox, intervention and lease checks, in that order. */
    public List<HealthCheck> all() {
        return List.of(outbox, interventions, leases);
    }

    /** Counts and an age from one query, with thresholds on both. */
    private static final class Count implements HealthCheck {
        private record Found(long count, double ageMillis) {
        }

        private final String kind;
        private final String name;
        private final Optional<Duration> timeLimit;
        private final Supplier<Mono<Found>> query;
        private final String countReading;
        private final String what;
        private final long degraded;
        private final long unhealthy;
        private final String ageReading;
        private final String ageWhat;
        private final Duration ageDegraded;
        private final Duration ageUnhealthy;

        Count(String kind, String name, Optional<Duration> timeLimit, Supplier<Mono<Found>> query,
              String countReading, String what, long degraded, long unhealthy,
              String ageReading, String ageWhat, Duration ageDegraded, Duration ageUnhealthy) {
            this.kind = kind;
            this.name = name;
            this.timeLimit = timeLimit;
            this.query = query;
            this.countReading = countReading;
            this.what = what;
            this.degraded = degraded;
            this.unhealthy = unhealthy;
            this.ageReading = ageReading;
            this.ageWhat = ageWhat;
            this.ageDegraded = ageDegraded;
            this.ageUnhealthy = ageUnhealthy;
        }

        static Found read(Row row) {
            return new Found(row.get("n", Long.class), row.get("age_ms", Double.class));
        }

        @Override
        public String kind() {
            return kind;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Map<String, String> tags() {
            return Map.of("log", name);
        }

        @Override
        public Optional<Duration> timeLimit() {
            return timeLimit;
        }

        @Override
        public Mono<CheckResult> check() {
            return Mono.defer(query).map(found -> {
                HealthStatus status = HealthStatus.HEALTHY;
                String reason = null;
                if (found.count() >= unhealthy) {
                    status = HealthStatus.UNHEALTHY;
                    reason = found.count() + " " + what + " (unhealthy from " + unhealthy + ")";
                } else if (ageUnhealthy != null && found.ageMillis() >= ageUnhealthy.toMillis()) {
                    status = HealthStatus.UNHEALTHY;
                    reason = ageWhat + " is " + Math.round(found.ageMillis()) + " ms (unhealthy from " + ageUnhealthy.toMillis() + " ms)";
                } else if (found.count() >= degraded) {
                    status = HealthStatus.DEGRADED;
                    reason = found.count() + " " + what + " (degraded from " + degraded + ")";
                } else if (ageDegraded != null && found.ageMillis() >= ageDegraded.toMillis()) {
                    status = HealthStatus.DEGRADED;
                    reason = ageWhat + " is " + Math.round(found.ageMillis()) + " ms (degraded from " + ageDegraded.toMillis() + " ms)";
                }
                return CheckResult.of(status, reason)
                        .reading(countReading, Reading.count(found.count()))
                        .reading(ageReading, new Reading(found.ageMillis(), Reading.Unit.MILLISECONDS, 1))
                        .build();
            });
        }

        @Override
        public String toString() {
            return "SagaHealthCheck[" + kind + " '" + name + "']";
        }
    }

    /** Builds {@link SagaHealthChecks}; {@link #build()} validates. */
    public static final class Builder {
        private final SagaLog log;
        private long outboxDegraded = 1_000;
        private long outboxUnhealthy = 10_000;
        private Duration outboxAgeDegraded = Duration.ofMinutes(1);
        private Duration outboxAgeUnhealthy = Duration.ofMinutes(10);
        private long interventionDegraded = 1;
        private long interventionUnhealthy = 100;
        private long leaseDegraded = 1;
        private long leaseUnhealthy = 100;
        private Duration leaseGrace = Duration.ofSeconds(30);
        private Duration timeLimit;

        private Builder(SagaLog log) {
            this.log = log;
        }

        /** Undelivered outbox rows from which the outbox is DEGRADED and UNHEALTHY; 1,000 and 10,000 by default. */
        public Builder outboxBacklog(long degraded, long unhealthy) {
            this.outboxDegraded = degraded;
            this.outboxUnhealthy = unhealthy;
            return this;
        }

        /** Ages of the oldest undelivered row from which the outbox is DEGRADED and UNHEALTHY; 1 min and 10 min by default. */
        public Builder outboxAge(Duration degraded, Duration unhealthy) {
            this.outboxAgeDegraded = Objects.requireNonNull(degraded, "outboxAge degraded");
            this.outboxAgeUnhealthy = Objects.requireNonNull(unhealthy, "outboxAge unhealthy");
            return this;
        }

        /** Sagas waiting for manual intervention from which the queue is DEGRADED and UNHEALTHY; 1 and 100 by default. */
        public Builder interventions(long degraded, long unhealthy) {
            this.interventionDegraded = degraded;
            this.interventionUnhealthy = unhealthy;
            return this;
        }

        /** Expired, unrecovered leases from which the check is DEGRADED and UNHEALTHY; 1 and 100 by default. */
        public Builder expiredLeases(long degraded, long unhealthy) {
            this.leaseDegraded = degraded;
            this.leaseUnhealthy = unhealthy;
            return this;
        }

        /** How long past its expiry a lease is left to recovery before the check counts it; 30 s by default. */
        public Builder leaseGrace(Duration grace) {
            this.leaseGrace = Objects.requireNonNull(grace, "leaseGrace");
            return this;
        }

        /** The time limit of each check's query; by default the health monitor's. */
        public Builder timeLimit(Duration limit) {
            this.timeLimit = Objects.requireNonNull(limit, "timeLimit");
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException naming the setting and its values, when a threshold is below 1, a degraded
         *                                  threshold above its unhealthy one, or a duration negative or zero
         */
        public SagaHealthChecks build() {
            counts("outboxBacklog", outboxDegraded, outboxUnhealthy);
            counts("interventions", interventionDegraded, interventionUnhealthy);
            counts("expiredLeases", leaseDegraded, leaseUnhealthy);
            if ((outboxAgeDegraded.isNegative() || outboxAgeDegraded.isZero()) || outboxAgeUnhealthy.compareTo(outboxAgeDegraded) < 0) {
                throw new IllegalArgumentException("outboxAge is " + outboxAgeDegraded.toMillis() + " ms / " + outboxAgeUnhealthy.toMillis()
                        + " ms; the degraded age must be positive and at most the unhealthy one");
            }
            if (leaseGrace.isNegative()) {
                throw new IllegalArgumentException("leaseGrace is " + leaseGrace.toMillis() + " ms; it must not be negative");
            }
            if (timeLimit != null && (timeLimit.isNegative() || timeLimit.isZero())) {
                throw new IllegalArgumentException("timeLimit is " + timeLimit.toMillis() + " ms; it must be positive");
            }
            return new SagaHealthChecks(this);
        }

        private static void counts(String setting, long degraded, long unhealthy) {
            if (degraded < 1 || unhealthy < degraded) {
                throw new IllegalArgumentException(setting + " is " + degraded + " / " + unhealthy
                        + "; the degraded threshold must be at least 1 and at most the unhealthy one");
            }
        }
    }
}
