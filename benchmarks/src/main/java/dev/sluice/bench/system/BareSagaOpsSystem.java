package dev.sluice.bench.system;

import dev.sluice.bench.Progress;
import dev.sluice.bench.load.LoadPlan;
import dev.sluice.bench.load.LoadSystem;
import dev.sluice.bench.load.Measurement;
import dev.sluice.bench.load.ReactiveLoad;
import dev.sluice.pool.PgPool;
import dev.sluice.pool.PoolRegistry;
import dev.sluice.pool.kv.KvStore;

import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;

/** {@code bare}: the saga's three operations run one after another directly on the pool and the store, no log. */
public final class BareSagaOpsSystem implements LoadSystem, CountsOperations {

    private final SagaWorkload workload;
    private final LongAdder completed = new LongAdder();

    public BareSagaOpsSystem(SagaWorkload workload) {
        this.workload = Objects.requireNonNull(workload, "workload");
    }

    @Override
    public String name() {
        return "bare";
    }

    @Override
    public long operationsCompleted() {
        return completed.sum();
    }

    @Override
    public Measurement measure(LoadPlan plan, Progress progress) throws Exception {
        progress.phase(name(), "opening the pool and the bucket");
        try (PoolRegistry registry = workload.open()) {
            PgPool pool = workload.pool(registry);
            KvStore store = workload.store(registry);
            return ReactiveLoad.run(name(), plan, List.of(new ReactiveLoad.Step("three-ops", caller -> {
                String ref = UUID.randomUUID().toString();
                return store.put("reserve." + ref, SagaWorkload.VALUE)
                        .then(store.put("pay." + ref, SagaWorkload.VALUE))
                        .then(pool.update(workload.insert(), ref))
                        .doOnSuccess(rows -> completed.increment());
            })), progress);
        }
    }
}
