package dev.sluice.pool.loop;

import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A pass run again and again on a timer: the first after a delay, then one every period; a pass still running when
 * the next is due delays it (ticks are dropped, never queued, and passes never overlap); a pass that fails is logged
 * and the next one runs as usual (the first failure of a run at WARN, the others at DEBUG, and the pass that
 * succeeds again at INFO). The pools' maintenance, the KV round-trip probe, the saga recovery and outbox
 * loops, the lease renewal, the saga queue gauge and the health sampler are all such loops.
 *
 * <p>The timer runs on the given {@link Scheduler} (a virtual-time scheduler in tests) and each pass is given the
 * time from the given {@link Clock}, by default the scheduler's own clock ({@link #clockOf(Scheduler)}), so both
 * move together under virtual time.
 */
public final class TimedLoop {

    private final String name;
    private final Duration delay;
    private final Duration period;
    private final Scheduler scheduler;
    private final Clock clock;
    private final Logger log;

    private TimedLoop(String name, Duration delay, Duration period, Scheduler scheduler, Clock clock, Logger log) {
        this.name = name;
        this.delay = delay;
        this.period = period;
        this.scheduler = scheduler;
        this.clock = clock;
        this.log = log;
    }

    /**
     * A loop of passes every {@code period}, the first at once, on Reactor's parallel scheduler.
     *
     * @param name what a pass is, for the log ("saga recovery pass of 'a'")
     * @param log  where failed passes are logged (at WARN)
     */
    public static TimedLoop every(Duration period, String name, Logger log) {
        if (Objects.requireNonNull(period, "period").isNegative() || period.isZero()) {
            throw new IllegalArgumentException(name + ": the period must be positive, got " + period);
        }
        return new TimedLoop(Objects.requireNonNull(name, "name"), Duration.ZERO, period, Schedulers.parallel(), null,
                Objects.requireNonNull(log, "log"));
    }

    /** The same loop with its first pass after {@code delay}. */
    public TimedLoop after(Duration delay) {
        return new TimedLoop(name, Objects.requireNonNull(delay, "delay"), period, scheduler, clock, log);
    }

    /** The same loop on another scheduler (whose clock becomes the loop's unless one is given). */
    public TimedLoop on(Scheduler scheduler) {
        return new TimedLoop(name, delay, period, Objects.requireNonNull(scheduler, "scheduler"), clock, log);
    }

    /** The same loop handing its passes the time from {@code clock}. */
    public TimedLoop clock(Clock clock) {
        return new TimedLoop(name, delay, period, scheduler, Objects.requireNonNull(clock, "clock"), log);
    }

    /**
     * Starts the loop. Each pass is {@code pass} applied to the time of its tick; its values are ignored.
     *
     * @return disposing it stops the loop and cancels the pass in progress
     */
    public Disposable start(Function<Instant, ? extends Publisher<?>> pass) {
        Clock time = clock != null ? clock : clockOf(scheduler);
        AtomicInteger failing = new AtomicInteger();
        return Flux.interval(delay, period, scheduler)
                .onBackpressureDrop()
                .concatMap(tick -> Mono.defer(() -> Flux.from(pass.apply(time.instant())).then())
                        .doOnSuccess(done -> {
                            int failed = failing.getAndSet(0);
                            if (failed > 0) {
                                log.info("{} succeeded again after {} failed {}", name, failed, failed == 1 ? "pass" : "passes");
                            }
                        })
                        .onErrorResume(error -> {
                            // one warning per run of failures: a loop every second must not flood the log during an outage
                            if (failing.getAndIncrement() == 0) {
                                log.warn("{} failed, the next one runs as usual: {}", name, error.toString());
                            } else {
                                log.debug("{} failed again: {}", name, error.toString());
                            }
                            return Mono.empty();
                        }), 0)
                .subscribe();
    }

    /** {@link #start(Function)} for a pass that does not need the time. */
    public Disposable start(java.util.function.Supplier<? extends Publisher<?>> pass) {
        return start(now -> pass.get());
    }

    /** A clock that reads {@code scheduler}'s time ({@link Scheduler#now(TimeUnit)}), in UTC. */
    public static Clock clockOf(Scheduler scheduler) {
        return new SchedulerClock(scheduler, ZoneOffset.UTC);
    }

    private static final class SchedulerClock extends Clock {
        private final Scheduler scheduler;
        private final ZoneId zone;

        SchedulerClock(Scheduler scheduler, ZoneId zone) {
            this.scheduler = scheduler;
            this.zone = zone;
        }

        @Override
        public ZoneId getZone() {
            return zone;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return new SchedulerClock(scheduler, zone);
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(scheduler.now(TimeUnit.MILLISECONDS));
        }
    }
}
