package dev.sluice.bench.system;

import com.zaxxer.hikari.HikariDataSource;
import dev.sluice.bench.Progress;
import dev.sluice.bench.load.BlockingLoad;
import dev.sluice.bench.load.LoadPlan;
import dev.sluice.bench.load.LoadSystem;
import dev.sluice.bench.load.Measurement;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * HikariCP over pgjdbc, one platform thread per caller, running {@code SELECT 1} as a prepared statement (pgjdbc
 * switches to a server-side prepared statement after a few uses), the way a thread-per-request service does.
 */
public final class HikariSystem implements LoadSystem {

    private static final Duration FILL_WAIT = Duration.ofSeconds(20);

    private final PgPoolSettings settings;

    /** @param settings the pool settings */
    public HikariSystem(PgPoolSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    public String name() {
        return "hikaricp";
    }

    @Override
    public Measurement measure(LoadPlan plan, Progress progress) throws Exception {
        progress.phase(name(), "opening a HikariCP pool of " + settings.poolSize());
        try (HikariDataSource pool = new HikariDataSource(settings.hikari())) {
            awaitFilled(pool);
            return BlockingLoad.run(name(), plan, List.of(new BlockingLoad.Step("select", caller -> selectOne(pool))), progress);
        }
    }

    private static void selectOne(HikariDataSource pool) throws SQLException {
        try (Connection c = pool.getConnection();
             PreparedStatement statement = c.prepareStatement(SluicePoolSystem.SQL);
             ResultSet rows = statement.executeQuery()) {
            rows.next();
            rows.getInt(1);
        }
    }

    /** Waits until HikariCP has opened its minimum (it fills in the background), as the reactive pools' warm-up does. */
    private void awaitFilled(HikariDataSource pool) throws InterruptedException {
        long deadline = System.nanoTime() + FILL_WAIT.toNanos();
        while (pool.getHikariPoolMXBean().getTotalConnections() < settings.poolSize() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }
}
