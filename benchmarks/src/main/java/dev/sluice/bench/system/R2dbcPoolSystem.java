package dev.sluice.bench.system;

import dev.sluice.bench.Progress;
import dev.sluice.bench.load.LoadPlan;
import dev.sluice.bench.load.LoadSystem;
import dev.sluice.bench.load.Measurement;
import dev.sluice.bench.load.ReactiveLoad;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Connection;
import reactor.core.publisher.Flux;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Raw r2dbc-pool over r2dbc-postgresql, with the settings Sluice gives it, running {@code SELECT 1} the way
 * r2dbc-pool's own documentation does: {@code usingWhen(pool.create(), run, Connection::close)}.
 */
public final class R2dbcPoolSystem implements LoadSystem {

    private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

    private final PgPoolSettings settings;

    /** @param settings the pool settings */
    public R2dbcPoolSystem(PgPoolSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    public String name() {
        return "r2dbc-pool";
    }

    @Override
    public Measurement measure(LoadPlan plan, Progress progress) throws Exception {
        progress.phase(name(), "opening an r2dbc-pool of " + settings.poolSize());
        ConnectionPool pool = new ConnectionPool(settings.r2dbcPool());
        try {
            pool.warmup().block(PgPoolSettings.CONNECT_TIMEOUT.multipliedBy(2));
            return ReactiveLoad.run(name(), plan, List.of(new ReactiveLoad.Step("select",
                    caller -> Flux.usingWhen(pool.create(),
                            (Connection c) -> Flux.from(c.createStatement(SluicePoolSystem.SQL).execute())
                                    .concatMap(result -> result.map((row, metadata) -> row.get(0, Integer.class))),
                            Connection::close).single())), progress);
        } finally {
            pool.disposeLater().block(CLOSE_WAIT);
        }
    }
}
