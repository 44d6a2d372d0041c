package dev.sluice.bench.system;

import com.zaxxer.hikari.HikariDataSource;
import dev.sluice.bench.Progress;
import dev.sluice.bench.load.BlockingLoad;
import dev.sluice.bench.load.LoadPlan;
import dev.sluice.bench.load.LoadSystem;
import dev.sluice.bench.load.Measurement;
import dev.sluice.bench.load.ReactiveLoad;
import dev.sluice.pool.PgPool;
import io.r2dbc.pool.ConnectionPool;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One client of the application scenario running one kind of operation ({@link AppWorkload}): Sluice, raw
 * r2dbc-pool or HikariCP, each opened fresh for the turn with the same {@link PgPoolSettings}. After the window the
 * balances are checked ({@link AppWorkload#checkBalances()}); the result's details say whether they agreed.
 */
public final class AppSystem implements LoadSystem {

    /** The clients compared. */
    public enum Client {
        SLUICE("sluice"), R2DBC_POOL("r2dbc-pool"), HIKARICP("hikaricp");

        private final String label;

        Client(String label) {
            this.label = label;
        }

        /** The client's name in results. */
        public String label() {
            return label;
        }
    }

    private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

    private final Client client;
    private final AppWorkload.Operation operation;
    private final AppWorkload workload;
    private final PgPoolSettings settings;

    /**
     * @param client    which client
     * @param operation which kind of operation its callers run
     * @param workload  the seeded data
     * @param settings  the pool settings (their database is {@link AppWorkload#database()})
     */
    public AppSystem(Client client, AppWorkload.Operation operation, AppWorkload workload, PgPoolSettings settings) {
        this.client = Objects.requireNonNull(client, "client");
        this.operation = Objects.requireNonNull(operation, "operation");
        this.workload = Objects.requireNonNull(workload, "workload");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** The client's name; the scenario tells the operations apart. */
    @Override
    public String name() {
        return client.label();
    }

    /** Each client's path for each kind of operation is its own code for the JIT. */
    @Override
    public Object jitKey() {
        return "app " + client.label() + " " + operation.label();
    }

    @Override
    public Measurement measure(LoadPlan plan, Progress progress) throws Exception {
        progress.phase(name(), operation.label() + " on a pool of " + settings.poolSize());
        Measurement window = switch (client) {
            case SLUICE -> {
                PgPool pool = PgPool.create(settings.sluice("app"));
                try {
                    pool.warmup().block(PgPoolSettings.CONNECT_TIMEOUT.multipliedBy(2));
                    yield ReactiveLoad.run(name(), plan, List.of(new ReactiveLoad.Step(operation.label(),
                            caller -> AppWorkload.sluice(pool, operation))), progress);
                } finally {
                    pool.stop().block(CLOSE_WAIT);
                }
            }
            case R2DBC_POOL -> {
                ConnectionPool pool = new ConnectionPool(settings.r2dbcPool());
                try {
                    pool.warmup().block(PgPoolSettings.CONNECT_TIMEOUT.multipliedBy(2));
                    yield ReactiveLoad.run(name(), plan, List.of(new ReactiveLoad.Step(operation.label(),
                            caller -> AppWorkload.r2dbcPool(pool, operation))), progress);
                } finally {
                    pool.disposeLater().block(CLOSE_WAIT);
                }
            }
            case HIKARICP -> {
                try (HikariDataSource pool = new HikariDataSource(settings.hikari())) {
                    yield BlockingLoad.run(name(), plan, List.of(new BlockingLoad.Step(operation.label(),
                            caller -> AppWorkload.hikari(pool, operation))), progress);
                }
            }
        };
        boolean agree = workload.checkBalances();
        if (!agree) {
            progress.note(name() + " " + operation.label() + ": the balances sum to " + workload.balanceSum() + ", not " + workload.total());
        }
        return window.withExtra("balancesAgree", agree);
    }
}
