package dev.sluice.bench.system;

import dev.sluice.bench.Progress;
import dev.sluice.bench.load.BlockingLoad;
import dev.sluice.bench.load.LoadPlan;
import dev.sluice.bench.load.LoadSystem;
import dev.sluice.bench.load.Measurement;
import io.nats.client.Connection;
import io.nats.client.KeyValue;
import io.nats.client.Nats;
import io.nats.client.Options;

import java.util.List;
import java.util.Objects;

/**
 * jnats' own blocking {@link KeyValue} API, one platform thread per caller on one shared connection: every caller
 * puts its key and reads it back.
 */
public final class JnatsKvSystem implements LoadSystem {

    private final String natsUrl;
    private final KvWorkload workload;

    /**
     * @param natsUrl  the NATS server
     * @param workload bucket and value size
     */
    public JnatsKvSystem(String natsUrl, KvWorkload workload) {
        this.natsUrl = Objects.requireNonNull(natsUrl, "natsUrl");
        this.workload = Objects.requireNonNull(workload, "workload");
    }

    @Override
    public String name() {
        return "jnats";
    }

    @Override
    public Measurement measure(LoadPlan plan, Progress progress) throws Exception {
        progress.phase(name(), "opening a jnats connection");
        Options options = new Options.Builder().servers(natsUrl.split(",")).connectionName("bench-jnats").build();
        Connection connection = Nats.connect(options);
        try {
            KeyValue kv = connection.keyValue(workload.bucket());
            byte[] value = workload.value();
            return BlockingLoad.run(name(), plan, List.of(
                    new BlockingLoad.Step("put", caller -> kv.put(workload.key(name(), caller), value)),
                    new BlockingLoad.Step("get", caller -> kv.get(workload.key(name(), caller)))), progress);
        } finally {
            connection.close();
        }
    }
}
