package dev.sluice.bench.scenario;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The load scenarios by name, in the order a full run takes them. */
public final class Scenarios {

    /** The health switched on by {@code health-overhead}. */
    private static final Supplier<HealthInstrumentation> HEALTH = ReactiveHealth::new;

    private static final Map<String, Supplier<Scenario>> ALL = Map.of(
            PoolRoundTrip.NAME, PoolRoundTrip::new,
            TenThousandCallers.NAME, TenThousandCallers::new,
            KvPutGet.NAME, KvPutGet::new,
            HealthOverhead.NAME, () -> new HealthOverhead(HEALTH.get()),
            SagaThroughput.NAME, SagaThroughput::new,
            ServerRestart.NAME, ServerRestart::new,
            ApplicationStatements.NAME, ApplicationStatements::new);

    private Scenarios() {
    }

    /** The load scenarios among {@code names} (other names, such as {@code jmh}, are left out), in that order. */
    public static List<Scenario> select(List<String> names) {
        return names.stream().filter(ALL::containsKey).map(name -> ALL.get(name).get()).toList();
    }
}
