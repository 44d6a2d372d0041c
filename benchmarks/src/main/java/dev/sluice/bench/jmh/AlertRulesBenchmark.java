package dev.sluice.bench.jmh;

import dev.sluice.health.AlertEvaluator;
import dev.sluice.health.AlertEvent;
import dev.sluice.health.AlertRules;
import dev.sluice.health.HealthSample;
import dev.sluice.health.Subject;
import dev.sluice.pool.BreakerState;
import dev.sluice.pool.PoolRole;
import dev.sluice.pool.check.HealthStatus;
import dev.sluice.pool.check.Reading;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The default alert rules ({@link AlertRules#defaults()}) evaluated on one pool sample, as the health monitor does for
 * every pool at every sampling round: {@link AlertEvaluator#accept} with the ten default rules.
 * <ul>
 *   <li>{@code sample}, {@code pool=healthy}: a busy, healthy pool of 20 (40% in use, nobody waiting, 0.2 ms mean
 *       acquire over 5,000 acquires, no errors): every rule reads its metric, none is near its threshold;</li>
 *   <li>{@code sample}, {@code pool=under-pressure}: the same pool at 95% with 12 callers waiting and a 600 ms mean
 *       acquire: six rules breach and have fired already (the state is primed), so each sample only confirms them;</li>
 *   <li>{@code episode}: one whole alert episode per three samples, with time moving on: the pressure begins (six
 *       rules go pending), holds 30 s later (six FIRING events, with their summaries), and ends a second after that
 *       (six RESOLVED events). Reported per sample; each sample is a new record with its readings, built in the loop.</li>
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
    /** What no default rule reads: the tags and details every sample shares. */
    private static final Map<String, String> TAGS = Map.of("pool", SUBJECT.name(), "role", "primary");
    private static final Map<String, String> DETAILS = Map.of(HealthSample.ROLE, PoolRole.PRIMARY.name(), HealthSample.BREAKER, BreakerState.CLOSED.name());

    /** A rule state and the sample fed to it again and again. */
    @State(Scope.Thread)
    public static class OneSample {

        /** The pool's condition. */
        @Param({"healthy", "under-pressure"})
        public String pool;

        AlertEvaluator machine;
        HealthSample sample;

        /** Builds the sample; for a pool under pressure, fires its alerts first. */
        @Setup(Level.Trial)
        public void prime() {
            machine = AlertRules.defaults().evaluator();
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

        AlertEvaluator machine;
        long minute;

        /** A fresh rule state. */
        @Setup(Level.Trial)
        public void open() {
            machine = AlertRules.defaults().evaluator();
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

    /** A sample of a pool of 20, busy and healthy or under pressure, taken at {@code at}, with the pool check's readings. */
    static HealthSample sample(Instant at, boolean pressure) {
        int active = pressure ? 19 : 8;
        Map<String, Reading> readings = new LinkedHashMap<>();
        readings.put("pool.connections.allocated", Reading.count(MAX));
        readings.put("pool.connections.active", Reading.count(active));
        readings.put("pool.connections.idle", Reading.count(MAX - active));
        readings.put("pool.connections.pending", Reading.count(pressure ? 12 : 0));
        readings.put("pool.connections.max", Reading.count(MAX));
        readings.put("pool.utilisation", Reading.ratio(pressure ? 1.0 : 0.4));
        readings.put("pool.acquire.p95", Reading.millis(Duration.ofMillis(3)));
        readings.put("pool.acquire.mean", Reading.counted(pressure ? 600 : 0.2, Reading.Unit.MILLISECONDS, ACQUIRES));
        readings.put("pool.error.rate", Reading.counted(0.0, Reading.Unit.RATIO, ACQUIRES));
        return new HealthSample(0, 1, at, SUBJECT, TAGS, HealthStatus.HEALTHY, Duration.ofMillis(2), Optional.empty(), at, readings, DETAILS, 1.0, 20);
    }
}
