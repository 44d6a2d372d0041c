package dev.sluice.health.server;

import dev.sluice.health.TestRegistries;
import dev.sluice.pool.PgPool;
import dev.sluice.testkit.PostgresServer;
import dev.sluice.testkit.SluiceExtension;
import dev.sluice.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/** What the server says about a pool, from pg_stat_activity and pg_stat_statements. */
@ExtendWith(SluiceExtension.class)
class ServerInsightTest {

    @Test
    void countsThePoolsSessionsByStateIncludingItsAgents(TestDatabase db) {
        PgPool pool = PgPool.create(TestRegistries.pool("insight", db).minConnections(3).maxConnections(3).build());
        try {
            pool.warmup().block();
            ConnectionStates states = ServerInsight.of(pool).connections().block();
            assertThat(states.applicationName()).isEqualTo("sluice-insight");
            assertThat(states.count("active")).as("the session that asks").isEqualTo(1);
            assertThat(states.count("idle")).isEqualTo(2);
            assertThat(states.total()).isEqualTo(3);
        } finally {
            pool.stop().block();
        }
    }

    @Test
    void slowestStatementsSayWhenTheExtensionIsMissingAndListThemOnceItIsThere(TestDatabase db) {
        PgPool pool = PgPool.create(TestRegistries.pool("statements", db).build());
        try {
            ServerInsight insight = ServerInsight.of(pool);
            SlowStatements missing = insight.slowestStatements(5).block();
            assertThat(missing.available()).isFalse();
            assertThat(missing.unavailable()).hasValueSatisfying(reason -> assertThat(reason)
                    .startsWith("pg_stat_statements is not installed in database '" + db.database() + "'")
                    .contains("CREATE EXTENSION pg_stat_statements"));
            assertThat(missing.statements()).isEmpty();

            PostgresServer.execute(db, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            pool.query("SELECT pg_sleep(0.05)", r -> 1).blockLast();
            pool.query("SELECT 1", r -> 1).blockLast();
            SlowStatements slowest = insight.slowestStatements(10).block();
            assertThat(slowest.available()).isTrue();
            assertThat(slowest.database()).isEqualTo(db.database());
            assertThat(slowest.statements()).isNotEmpty().hasSizeLessThanOrEqualTo(10);
            assertThat(slowest.statements()).extracting(SlowStatements.Statement::mean).isSortedAccordingTo(java.util.Comparator.reverseOrder());
            SlowStatements.Statement sleep = slowest.statements().stream().filter(st -> st.query().contains("pg_sleep")).findFirst().orElseThrow();
            assertThat(sleep.calls()).isEqualTo(1);
            assertThat(sleep.mean()).isGreaterThanOrEqualTo(java.time.Duration.ofMillis(50));
            assertThat(slowest.statements()).as("faster than the sleep").anySatisfy(st -> assertThat(st.mean()).isLessThan(sleep.mean()));
        } finally {
            pool.stop().block();
        }
    }
}
