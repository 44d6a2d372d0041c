package dev.sluice.pool;

import dev.sluice.testkit.PostgresServer;
import dev.sluice.testkit.TestDatabase;

import java.time.Duration;

/** Test helpers: pool configurations pointing at a testkit database. */
final class Pools {
    private Pools() {
    }

    static PgPoolConfig.Builder config(String name, TestDatabase db) {
        return PgPoolConfig.builder(name)
                .host(db.host())
                .port(db.port())
                .database(db.database())
                .user(db.user())
                .password(db.password())
                .sslMode(SslMode.DISABLE)
                .acquireTimeout(Duration.ofSeconds(5));
    }

    /** Number of sessions on the server with this application name. */
    static int sessions(TestDatabase db, String applicationName) {
        return Integer.parseInt(PostgresServer.queryString(db,
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + applicationName + "'"));
    }

    /** Number of sessions with this application name that are running a statement. */
    static int busySessions(TestDatabase db, String applicationName) {
        return Integer.parseInt(PostgresServer.queryString(db,
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + applicationName + "' AND state <> 'idle'"));
    }

    static void await(String what, Duration timeout, java.util.function.BooleanSupplier condition) {
        dev.sluice.testkit.Await.until(what, timeout, condition);
    }
}
