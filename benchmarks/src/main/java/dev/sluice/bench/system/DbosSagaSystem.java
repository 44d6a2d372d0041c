package dev.sluice.bench.system;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.dbos.transact.DBOS;
import dev.dbos.transact.config.DBOSConfig;
import dev.dbos.transact.workflow.Workflow;
import dev.sluice.bench.Progress;
import dev.sluice.bench.load.BlockingLoad;
import dev.sluice.bench.load.LoadPlan;
import dev.sluice.bench.load.LoadSystem;
import dev.sluice.bench.load.Measurement;
import io.nats.client.Connection;
import io.nats.client.KeyValue;
import io.nats.client.Nats;
import io.nats.client.Options;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code dbos}: each operation is one DBOS Transact workflow of three steps, the same operations as the Sluice saga's:
 * two KV puts through jnats' blocking {@link KeyValue} API and one insert through JDBC, each run as a DBOS step
 * ({@link DBOS#runStep}), so DBOS checkpoints the workflow and every step's result in its system database. The
 * system database is a schema of the benchmark database ({@link #SCHEMA}), reached through one HikariCP pool that the
 * insert shares, as the Sluice saga's log and insert share one pool. DBOS's API is blocking: one platform thread per
 * caller, as for HikariCP; DBOS runs each workflow on a thread of its own executor while the caller waits.
 */
public final class DbosSagaSystem implements LoadSystem, CountsOperations {

    /** The schema of DBOS's system tables, dropped by the scenario afterwards. */
    public static final String SCHEMA = "sluice_bench_dbos";
    /**
     * Connections beyond the Sluice saga's pool size: given a {@link DataSource}, DBOS keeps one of its connections for
     * {@code LISTEN} (notifications between workflows, which this workload does not use), so the workflows get as many
     * connections as the Sluice saga's pool has.
     */
    public static final int LISTENER_CONNECTIONS = 1;
    private static final String APP_NAME = "sluice-bench";

    private final SagaWorkload workload;
    private final LongAdder completed = new LongAdder();

    public DbosSagaSystem(SagaWorkload workload) {
        this.workload = Objects.requireNonNull(workload, "workload");
    }

    @Override
    public String name() {
        return "dbos";
    }

    @Override
    public long operationsCompleted() {
        return completed.sum();
    }

    /** The pool DBOS and the insert share: the scenario's settings, as the {@code hikaricp} peer gets them. */
    public HikariConfig poolConfig() {
        HikariConfig c = workload.settings().hikari();
        int size = workload.settings().poolSize() + LISTENER_CONNECTIONS;
        c.setPoolName("bench-dbos");
        c.setMaximumPoolSize(size);
        c.setMinimumIdle(size);
        c.addDataSourceProperty("ApplicationName", "bench-dbos");
        // What DBOS sets on the pool it builds itself when given a URL instead of a data source.
        c.addDataSourceProperty("reWriteBatchedInserts", "true");
        return c;
    }

    /** DBOS's configuration: its system tables in {@link #SCHEMA} of the benchmark database, through {@code pool}. */
    public static DBOSConfig dbosConfig(DataSource pool) {
        return DBOSConfig.defaults(APP_NAME).withDataSource(pool).withDatabaseSchema(SCHEMA);
    }

    @Override
    public Measurement measure(LoadPlan plan, Progress progress) throws Exception {
        progress.phase(name(), "opening a HikariCP pool of " + poolConfig().getMaximumPoolSize() + ", a jnats connection and DBOS "
                + DBOS.version());
        try (HikariDataSource pool = new HikariDataSource(poolConfig())) {
            Connection nats = Nats.connect(new Options.Builder().servers(workload.natsUrl().split(",")).connectionName("bench-dbos").build());
            try (DBOS dbos = new DBOS(dbosConfig(pool))) {
                Checkout checkout = dbos.registerProxy(Checkout.class,
                        new CheckoutWorkflow(dbos, nats.keyValue(workload.bucket()), pool, workload.jdbcInsert()));
                dbos.launch();
                return BlockingLoad.run(name(), plan, List.of(new BlockingLoad.Step("workflow", caller -> {
                    checkout.checkout(UUID.randomUUID().toString());
                    completed.increment();
                })), progress);
            } finally {
                nats.close();
            }
        }
    }

    /** The workflow's interface, through which DBOS's proxy runs it durably. */
    public interface Checkout {
        /**
         * Runs the three steps for {@code ref}; returns {@code ref}.
         *
         * @throws Exception what a step threw (jnats' {@code IOException} or {@code JetStreamApiException}, JDBC's
         *                   {@code SQLException})
         */
        String checkout(String ref) throws Exception;
    }

    /** The three steps, each a DBOS step whose result DBOS records before the next one starts. */
    static final class CheckoutWorkflow implements Checkout {

        private final DBOS dbos;
        private final KeyValue kv;
        private final DataSource pool;
        private final String insert;

        CheckoutWorkflow(DBOS dbos, KeyValue kv, DataSource pool, String insert) {
            this.dbos = dbos;
            this.kv = kv;
            this.pool = pool;
            this.insert = insert;
        }

        @Override
        @Workflow(name = "bench-checkout")
        public String checkout(String ref) throws Exception {
            dbos.runStep(() -> kv.put("reserve." + ref, SagaWorkload.VALUE), "reserve");
            dbos.runStep(() -> kv.put("pay." + ref, SagaWorkload.VALUE), "pay");
            dbos.runStep(() -> record(ref), "record");
            return ref;
        }

        private int record(String ref) throws SQLException {
            try (java.sql.Connection c = pool.getConnection(); PreparedStatement statement = c.prepareStatement(insert)) {
                statement.setString(1, ref);
                return statement.executeUpdate();
            }
        }
    }
}
