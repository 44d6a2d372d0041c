package dev.sluice.bench.jmh;

import dev.sluice.health.AlertEvent;
import dev.sluice.health.AlertRules;
import dev.sluice.health.CheckResult;
import dev.sluice.health.HealthStatus;
import dev.sluice.health.PoolSample;
import dev.sluice.health.Subject;
import dev.sluice.health.internal.AlertStateMachine;
import dev.sluice.pool.BreakerState;
import dev.sluice.pool.PoolRole;
import dev.sluice.pool.PoolStats;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The default alert rules ({@link AlertRules#defaults()}) evaluated on one pool sample, as the health monitor does for
 * every pool at every sampling round: {@link AlertStateMachine#accept} with the ten default rules.
 * <ul>
 *   <li>{@code sample}, {@code pool=healthy}: a busy, healthy pool of 20 (40% in use, nobody waiting, 0.2 ms mean
 *       acquire over 5,000 acquires, no errors): every rule reads its metric, none is near its threshold;</li>
 *   <li>{@code sample}, {@code pool=under-pressure}: the same pool at 95% with 12 callers waiting and a 600 ms mean
 *       acquire: six rules breach and have fired already (the state is primed), so each sample only confirms them;</li>
 *   <li>{@code episode}: one whole alert episode per three samples, with time moving on: the pressure begins (six
 *       rules go pending), holds 30 s later (six FIRING events, with their summaries), and ends a second after that
 *       (six RESOLVED events). Reported per sample; each sample is a new record, built in the loop.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class AlertRulesBenchmark {

    private static final int MAX = 20;
    private static final Subject SUBJECT = Subject.pool("orders");
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private static final long ACQUIRES = 5_000;
    /** What no default rule reads: one shared check result and statistics snapshot. */
    private static final CheckResult CHECK = new CheckResult(SUBJECT, HealthStatus.HEALTHY, Duration.ofMillis(2), Optional.empty(), START);
    private static final PoolStats STATS = new PoolStats(SUBJECT.name(), PoolRole.PRIMARY, MAX, 8, 12, 0, MAX, MAX, 250_000, 0, 0, 0, 0, 0,
            250_000, 0, 0, 0, Duration.ofMillis(1), Duration.ofMillis(3), Duration.ofMillis(5), Duration.ofMillis(40), 0, List.of(), Map.of(),
            BreakerState.CLOSED, Duration.ofSeconds(1), 0, 0);

    /** A rule state and the sample fed to it again and again. */
    @State(Scope.Thread)
    public static class OneSample {

        /** The pool's condition. */
        @Param({"healthy", "under-pressure"})
        public String pool;

        AlertStateMachine machine;
        PoolSample sample;

        /** Builds the sample; for a pool under pressure, fires its alerts first. */
        @Setup(Level.Trial)
        public void prime() {
            AtomicLong ids = new AtomicLong();
            machine = new AlertStateMachine(AlertRules.defaults().rules(), ids::incrementAndGet);
            boolean pressure = pool.equals("under-pressure");
            sample = sample(START.plusSeconds(60), pressure);
            if (pressure) {
                machine.accept(sample(START, true));
                if (machine.accept(sample).isEmpty() || machine.active().isEmpty()) {
                    throw new IllegalStateException("the pool under pressure should have fired its alerts");
                }
            }
        }
    }

    /** A rule state that sees one alert episode after another. */
    @State(Scope.Thread)
    public static class Episodes {

        AlertStateMachine machine;
        long minute;

        /** A fresh rule state. */
        @Setup(Level.Trial)
        public void open() {
            AtomicLong ids = new AtomicLong();
            machine = new AlertStateMachine(AlertRules.defaults().rules(), ids::incrementAndGet);
        }
    }

    /** One sample through the ten default rules. */
    @Benchmark
    public List<AlertEvent> sample(OneSample state) {
        return state.machine.accept(state.sample);
    }

    /** Three samples: an episode begins, fires and resolves; time per sample. */
    @Benchmark
    @OperationsPerInvocation(3)
    public void episode(Episodes state, Blackhole events) {
        Instant begins = START.plusSeconds(60 * ++state.minute);
        events.consume(state.machine.accept(sample(begins, true)));
        events.consume(state.machine.accept(sample(begins.plusSeconds(30), true)));
        events.consume(state.machine.accept(sample(begins.plusSeconds(31), false)));
    }

    /** A sample of a pool of 20, busy and healthy or under pressure, taken at {@code at}. */
    static PoolSample sample(Instant at, boolean pressure) {
        return pressure
                ? new PoolSample(0, 1, at, SUBJECT, PoolRole.PRIMARY, CHECK, MAX, 19, 1, 12, MAX, 1.0, Duration.ofMillis(3),
                        Duration.ofMillis(600), ACQUIRES, 0, 0.0, ACQUIRES, 1.0, 20, BreakerState.CLOSED, STATS)
                : new PoolSample(0, 1, at, SUBJECT, PoolRole.PRIMARY, CHECK, MAX, 8, 12, 0, MAX, 0.4, Duration.ofMillis(3),
                        Duration.ofNanos(200_000), ACQUIRES, 0, 0.0, ACQUIRES, 1.0, 20, BreakerState.CLOSED, STATS);
    }
}
