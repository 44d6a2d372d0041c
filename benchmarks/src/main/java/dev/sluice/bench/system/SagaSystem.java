package dev.sluice.bench.system;

import dev.sluice.bench.Progress;
import dev.sluice.bench.load.LoadPlan;
import dev.sluice.bench.load.LoadSystem;
import dev.sluice.bench.load.Measurement;
import dev.sluice.bench.load.ReactiveLoad;
import dev.sluice.pool.PgPool;
import dev.sluice.pool.PoolRegistry;
import dev.sluice.pool.kv.KvStore;
import dev.sluice.saga.SagaDefinition;
import dev.sluice.saga.SagaExecutor;
import dev.sluice.saga.SagaLog;
import dev.sluice.saga.SagaLogConfig;
import dev.sluice.saga.SagaOutcome;
import dev.sluice.saga.SagaStep;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code sluice-saga}: each operation is one saga of three steps (two KV puts, one SQL insert) run by a
 * {@link SagaExecutor} with its durable log in PostgreSQL, on the same pool as the insert. An operation that does not
 * end {@code COMPLETED} counts as an error.
 */
public final class SagaSystem implements LoadSystem, CountsOperations {

    /** The saga log's schema, dropped by the scenario afterwards. */
    public static final SagaLogConfig LOG = new SagaLogConfig("sluice_bench_sagas", "");

    private final SagaWorkload workload;
    private final LongAdder completed = new LongAdder();

    public SagaSystem(SagaWorkload workload) {
        this.workload = Objects.requireNonNull(workload, "workload");
    }

    @Override
    public String name() {
        return "sluice-saga";
    }

    @Override
    public long operationsCompleted() {
        return completed.sum();
    }

    @Override
    public Measurement measure(LoadPlan plan, Progress progress) throws Exception {
        progress.phase(name(), "opening the pool, the bucket and a saga executor");
        try (PoolRegistry registry = workload.open()) {
            PgPool pool = workload.pool(registry);
            KvStore store = workload.store(registry);
            SagaLog log = SagaLog.create(pool, LOG);
            log.migrate().block(SagaWorkload.OPEN_WAIT);
            SagaDefinition checkout = SagaDefinition.builder("bench-checkout")
                    .step(SagaStep.kvPut("reserve", store, ctx -> "reserve." + ctx.sagaId(), ctx -> SagaWorkload.VALUE))
                    .step(SagaStep.kvPut("pay", store, ctx -> "pay." + ctx.sagaId(), ctx -> SagaWorkload.VALUE))
                    .step(SagaStep.sql("record", pool)
                            .update(workload.insert(), ctx -> new Object[]{ctx.sagaId().toString()})
                            .compensation("DELETE FROM " + workload.table() + " WHERE ref = $1",
                                    (ctx, recorded) -> new Object[]{ctx.sagaId().toString()})
                            .build())
                    .build();
            try (SagaExecutor executor = SagaExecutor.builder(log).register(checkout).build()) {
                return ReactiveLoad.run(name(), plan, List.of(new ReactiveLoad.Step("saga",
                        caller -> executor.run(checkout, Map.of("caller", caller), UUID.randomUUID().toString())
                                .flatMap(result -> result.outcome() == SagaOutcome.COMPLETED ? Mono.just(result)
                                        : Mono.error(new IllegalStateException("saga ended " + result.outcome() + ": " + result.reason().orElse(""))))
                                .doOnSuccess(result -> completed.increment()))),
                        progress);
            }
        }
    }
}
