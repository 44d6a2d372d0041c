package dev.sluice.bench.system;

import dev.sluice.bench.Progress;
import dev.sluice.bench.load.LoadPlan;
import dev.sluice.bench.load.LoadSystem;
import dev.sluice.bench.load.Measurement;
import dev.sluice.bench.load.ReactiveLoad;
import dev.sluice.pool.kv.KvStore;
import dev.sluice.pool.kv.KvStores;
import dev.sluice.pool.kv.NatsConfig;

import java.util.List;
import java.util.Objects;

/**
 * Sluice's {@link KvStore}: every caller puts its key and reads it back, without a thread per caller (asynchronous
 * JetStream publishes and direct gets). Stores are opened for each turn (one NATS connection, Sluice's default) and
 * closed after it.
 */
public final class SluiceKvSystem implements LoadSystem {

    private final String natsUrl;
    private final KvWorkload workload;

    /**
     * @param natsUrl  the NATS server
     * @param workload bucket and value size
     */
    public SluiceKvSystem(String natsUrl, KvWorkload workload) {
        this.natsUrl = Objects.requireNonNull(natsUrl, "natsUrl");
        this.workload = Objects.requireNonNull(workload, "workload");
    }

    /** Sluice's configuration of the benchmark bucket, also used to create it before the first turn. */
    public static NatsConfig config(String natsUrl, String bucket) {
        return NatsConfig.builder().servers(natsUrl.split(",")).connectionName("bench-sluice").bucket(bucket).build();
    }

    @Override
    public String name() {
        return "sluice";
    }

    @Override
    public Measurement measure(LoadPlan plan, Progress progress) throws Exception {
        progress.phase(name(), "opening Sluice KV stores");
        try (KvStores stores = KvStores.create(config(natsUrl, workload.bucket()))) {
            stores.start().block();
            KvStore store = stores.store(workload.bucket());
            byte[] value = workload.value();
            return ReactiveLoad.run(name(), plan, List.of(
                    new ReactiveLoad.Step("put", caller -> store.put(workload.key(name(), caller), value)),
                    new ReactiveLoad.Step("get", caller -> store.get(workload.key(name(), caller)))), progress);
        }
    }
}
