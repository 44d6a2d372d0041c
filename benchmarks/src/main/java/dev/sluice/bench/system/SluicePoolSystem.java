package dev.sluice.bench.system;

import dev.sluice.bench.Progress;
import dev.sluice.bench.load.LoadPlan;
import dev.sluice.bench.load.LoadSystem;
import dev.sluice.bench.load.Measurement;
import dev.sluice.bench.load.ReactiveLoad;
import dev.sluice.pool.PgPool;
import dev.sluice.pool.PoolRegistry;
import dev.sluice.pool.RegistryConfig;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * A Sluice {@link PgPool} running {@code SELECT 1} through {@code pool.query(sql, mapper).single()}, the way an
 * application reads one value. A fresh pool (in a registry of its own, as applications hold pools) is created
 * and warmed for every turn, and closed after it.
 */
public final class SluicePoolSystem implements LoadSystem {

    /** The statement every PostgreSQL system runs. */
    public static final String SQL = "SELECT 1";
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

    private final String name;
    private final PgPoolSettings settings;
    private final Function<PoolRegistry, AutoCloseable> attach;

    /**
     * @param name     the system's name in the results
     * @param settings the pool settings
     * @param attach   what to switch on around the pool's registry for the turn (health, metrics), closed after
     *                 it; {@link #NOTHING_ATTACHED} for nothing
     */
    public SluicePoolSystem(String name, PgPoolSettings settings, Function<PoolRegistry, AutoCloseable> attach) {
        this.name = Objects.requireNonNull(name, "name");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.attach = Objects.requireNonNull(attach, "attach");
    }

    /** Nothing attached to the pool's registry. */
    public static final Function<PoolRegistry, AutoCloseable> NOTHING_ATTACHED = registry -> () -> { };

    /** A plain Sluice pool named {@code sluice}. */
    public static SluicePoolSystem plain(PgPoolSettings settings) {
        return new SluicePoolSystem("sluice", settings, NOTHING_ATTACHED);
    }

    /** Plain pools share their JIT warm-up; one with something attached has its own (the attached code is new). */
    @Override
    public Object jitKey() {
        return attach == NOTHING_ATTACHED ? SluicePoolSystem.class : "sluice pool with " + name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Measurement measure(LoadPlan plan, Progress progress) throws Exception {
        progress.phase(name, "opening a Sluice pool of " + settings.poolSize());
        PoolRegistry registry = PoolRegistry.create(RegistryConfig.builder().pool(settings.sluice("bench")).capacityCheck(false).build());
        PgPool pool = registry.pool("bench");
        try {
            registry.start().block(PgPoolSettings.CONNECT_TIMEOUT.multipliedBy(2));
            AutoCloseable attached = attach.apply(registry);
            try {
                return ReactiveLoad.run(name, plan, List.of(new ReactiveLoad.Step("select",
                        caller -> pool.query(SQL, row -> row.get(0, Integer.class)).single())), progress);
            } finally {
                attached.close();
            }
        } finally {
            registry.stop().block(CLOSE_WAIT);
        }
    }
}
