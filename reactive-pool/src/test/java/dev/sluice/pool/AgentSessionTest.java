package dev.sluice.pool;

import dev.sluice.pool.config.ConfigException;
import dev.sluice.testkit.PostgresServer;
import dev.sluice.testkit.SluiceExtension;
import dev.sluice.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(SluiceExtension.class)
class AgentSessionTest {

    @Test
    void concurrentConnectionLimitHoldsUnderLoad(TestDatabase db) {
        PgPool pool = PgPool.create(Pools.config("agents", db).maxConnections(10).build());
        try {
            AgentSession session = pool.session("crawler-1", new SessionLimits(3, 1_000_000, 100));
            AtomicInteger inside = new AtomicInteger();
            AtomicInteger mostInside = new AtomicInteger();
            Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
            Flux.range(0, 200)
                    .flatMap(i -> session.withConnection(c -> Mono.fromRunnable(() -> mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max))
                                    .then(Mono.from(c.createStatement("SELECT pg_sleep(0.01)").execute()).flatMap(r -> Mono.from(r.getRowsUpdated())))
                                    .doFinally(s -> inside.decrementAndGet()))
                            .then(Mono.just("ok"))
                            .onErrorResume(SessionLimitException.class, e -> Mono.just(e.limit())), 20)
                    .doOnNext(outcome -> outcomes.computeIfAbsent(outcome, k -> new LongAdder()).increment())
                    .blockLast(Duration.ofMinutes(1));

            assertThat(mostInside.get()).isLessThanOrEqualTo(3);
            assertThat(outcomes.get("ok").sum()).isPositive();
            assertThat(outcomes.get("maxConcurrentConnections").sum()).isPositive();
            SessionStats stats = session.stats();
            assertThat(stats.operations()).isEqualTo(outcomes.get("ok").sum());
            assertThat(stats.refused()).isEqualTo(outcomes.get("maxConcurrentConnections").sum());
            assertThat(stats.activeConnections()).isZero();
        } finally {
            pool.stop().block();
        }
    }

    @Test
    void operationAndStatementLimitsNameTheAgentLimitAndValue(TestDatabase db) {
        PostgresServer.execute(db, "CREATE TABLE IF NOT EXISTS notes (n int)");
        PgPool pool = PgPool.create(Pools.config("agentlimits", db).applicationName("agent-app").build());
        try {
            AgentSession session = pool.session("writer-9", new SessionLimits(1, 3, 2));
            assertThat(session.inTransaction(TxOptions.DEFAULT, tx -> tx.query(
                    "SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()", r -> r.get(0, String.class))).blockLast())
                    .isEqualTo("agent-app/writer-9");
            assertThatThrownBy(() -> session.inTransaction(TxOptions.DEFAULT, tx -> tx.update("INSERT INTO notes VALUES (1)")
                    .then(tx.update("INSERT INTO notes VALUES (2)"))
                    .then(tx.update("INSERT INTO notes VALUES (3)"))).blockLast())
                    .isInstanceOf(SessionLimitException.class)
                    .hasMessage("agent 'writer-9' exceeded its session limit maxStatementsPerTransaction = 2 (this would make 3); "
                            + "raise the limit in SessionLimits or spread the work over more sessions");
            assertThat(pool.queryOne("SELECT count(*) FROM notes", r -> r.get(0, Long.class)).block()).as("rolled back").isZero();

            session.inTransaction(TxOptions.DEFAULT, tx -> tx.update("INSERT INTO notes VALUES (1)")).blockLast();
            assertThatThrownBy(() -> session.withConnection(c -> Mono.just(1)).blockLast())
                    .isInstanceOf(SessionLimitException.class)
                    .satisfies(e -> {
                        SessionLimitException limit = (SessionLimitException) e;
                        assertThat(limit.agent()).isEqualTo("writer-9");
                        assertThat(limit.limit()).isEqualTo("maxOperations");
                        assertThat(limit.allowed()).isEqualTo(3);
                        assertThat(limit.attempted()).isEqualTo(4);
                    });
            SessionStats stats = session.stats();
            assertThat(stats.transactionsCommitted()).isEqualTo(2);
            assertThat(stats.transactionsAborted()).isEqualTo(1);
            assertThat(stats.operations()).isEqualTo(3);
        } finally {
            pool.stop().block();
        }
    }

    @Test
    void badAgentIdsAndLimitsAreRefused(TestDatabase db) {
        PgPool pool = PgPool.create(Pools.config("agentbad", db).build());
        try {
            assertThatThrownBy(() -> pool.session("bad id!", SessionLimits.DEFAULT)).isInstanceOf(ConfigException.class).hasMessageContaining("agentId");
            assertThatThrownBy(() -> new SessionLimits(0, 1, 1)).hasMessageContaining("maxConcurrentConnections = '0'");
            assertThatThrownBy(() -> new SessionLimits(1, 0, 1)).hasMessageContaining("maxOperations = '0'");
        } finally {
            pool.stop().block();
        }
    }
}
