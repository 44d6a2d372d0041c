package dev.sluice.pool;

import dev.sluice.testkit.PostgresServer;
import dev.sluice.testkit.SluiceExtension;
import dev.sluice.testkit.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(SluiceExtension.class)
class RetryTest {

    private TestDatabase db;

    @BeforeEach
    void tables(TestDatabase db) {
        this.db = db;
        PostgresServer.execute(db, "DROP TABLE IF EXISTS doctors; CREATE TABLE doctors (id int PRIMARY KEY, on_call boolean NOT NULL);"
                + "INSERT INTO doctors VALUES (1, true), (2, true)");
    }

    /** Two serializable transactions in write skew: each reads both rows, then takes one doctor off call. */
    private static List<Flux<Long>> writeSkew(PgPool pool, TxOptions options) {
        Sinks.Empty<Void> bothRead = Sinks.empty();
        AtomicInteger reads = new AtomicInteger();
        return List.of(1, 2).stream().map(id -> pool.inTransaction(options, tx -> tx.query(
                                "SELECT count(*) FROM doctors WHERE on_call", r -> r.get(0, Long.class))
                        .then(Mono.defer(() -> {
                            if (reads.incrementAndGet() == 2) {
                                bothRead.tryEmitEmpty();
                            }
                            return bothRead.asMono();
                        }))
                        .then(tx.update("UPDATE doctors SET on_call = false WHERE id = $1", id)))).toList();
    }

    @Test
    void serializationFailuresFailWithoutAPolicyAndCommitWithOne() {
        PgPool pool = PgPool.create(Pools.config("serial", db).maxConnections(4).build());
        try {
            TxOptions serializable = TxOptions.builder().isolation(Isolation.SERIALIZABLE).build();
            List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
            Flux.merge(writeSkew(pool, serializable).stream().map(f -> f.onErrorResume(e -> {
                errors.add(e);
                return Mono.empty();
            })).toList()).blockLast();
            assertThat(errors).hasSize(1);
            assertThat(SqlErrorClassifier.classify(errors.get(0))).isEqualTo(ErrorClass.TRANSIENT_SERIALIZATION);
            assertThat(pool.stats().retries()).isEmpty();

            PostgresServer.execute(db, "UPDATE doctors SET on_call = true");
            TxOptions retried = serializable.toBuilder().retry(RetryPolicy.attempts(5)).build();
            assertThat(Flux.merge(writeSkew(pool, retried)).collectList().block()).containsExactly(1L, 1L);
            assertThat(pool.stats().retries()).containsKey(ErrorClass.TRANSIENT_SERIALIZATION);
            assertThat(PostgresServer.queryString(db, "SELECT count(*) FROM doctors WHERE on_call")).isEqualTo("0");
        } finally {
            pool.stop().block();
        }
    }

    @Test
    void aRealDeadlockIsClassifiedAndRetried() {
        PgPool pool = PgPool.create(Pools.config("deadlock", db).maxConnections(4).build());
        try {
            TxOptions retried = TxOptions.builder().retry(RetryPolicy.attempts(3)).build();
            Sinks.Empty<Void> bothLocked = Sinks.empty();
            AtomicInteger locked = new AtomicInteger();
            Flux<Long> forward = pool.inTransaction(retried, tx -> tx.update("UPDATE doctors SET on_call = false WHERE id = 1")
                    .then(barrier(locked, bothLocked))
                    .then(tx.update("UPDATE doctors SET on_call = false WHERE id = 2")));
            Flux<Long> backward = pool.inTransaction(retried, tx -> tx.update("UPDATE doctors SET on_call = true WHERE id = 2")
                    .then(barrier(locked, bothLocked))
                    .then(tx.update("UPDATE doctors SET on_call = true WHERE id = 1")));
            assertThat(Flux.merge(forward, backward).collectList().block(Duration.ofSeconds(30))).containsExactly(1L, 1L);
            assertThat(pool.stats().retries()).containsOnlyKeys(ErrorClass.TRANSIENT_DEADLOCK);
        } finally {
            pool.stop().block();
        }
    }

    private static Mono<Void> barrier(AtomicInteger arrivals, Sinks.Empty<Void> all) {
        return Mono.defer(() -> {
            if (arrivals.incrementAndGet() == 2) {
                all.tryEmitEmpty();
            }
            return all.asMono();
        });
    }

    @Test
    void aLostConnectionIsRetriedOnANewOne() {
        PgPool pool = PgPool.create(Pools.config("reconnect", db).maxConnections(2).build());
        try {
            AtomicInteger attempts = new AtomicInteger();
            TxOptions retried = TxOptions.builder().retry(RetryPolicy.attempts(3)).build();
            Integer pid = pool.inTransaction(retried, tx -> attempts.incrementAndGet() == 1
                    ? tx.query("SELECT pg_terminate_backend(pg_backend_pid())", r -> 0)
                    : tx.query("SELECT pg_backend_pid()", r -> r.get(0, Integer.class))).blockLast();
            assertThat(attempts.get()).isEqualTo(2);
            assertThat(pid).isPositive();
            assertThat(pool.stats().retries()).containsOnlyKeys(ErrorClass.CONNECTION);
        } finally {
            pool.stop().block();
        }
    }

    @Test
    void permanentFailuresAreNeverRetried() {
        PgPool pool = PgPool.create(Pools.config("permanent", db).retry(RetryPolicy.attempts(5)).build());
        try {
            AtomicInteger attempts = new AtomicInteger();
            assertThatThrownBy(() -> pool.inTransaction(tx -> {
                attempts.incrementAndGet();
                return tx.update("INSERT INTO doctors VALUES (1, true)");
            }).blockLast()).satisfies(e -> assertThat(SqlErrorClassifier.classify(e)).isEqualTo(ErrorClass.CONSTRAINT));
            assertThat(attempts.get()).isEqualTo(1);
            assertThat(pool.stats().retries()).isEmpty();

            AtomicInteger operations = new AtomicInteger();
            assertThatThrownBy(() -> pool.withRetry(RetryPolicy.attempts(5), () -> {
                operations.incrementAndGet();
                return pool.query("SELECT nonsense FROM doctors", r -> 1);
            }).blockLast()).satisfies(e -> assertThat(SqlErrorClassifier.classify(e)).isEqualTo(ErrorClass.SYNTAX));
            assertThat(operations.get()).isEqualTo(1);
        } finally {
            pool.stop().block();
        }
    }

    @Test
    void badRetryPoliciesAreRefused() {
        assertThatThrownBy(() -> new RetryPolicy(0, Duration.ofMillis(10), Duration.ofSeconds(1), 0.5)).hasMessageContaining("maxAttempts = '0'");
        assertThatThrownBy(() -> new RetryPolicy(3, Duration.ofSeconds(2), Duration.ofSeconds(1), 0.5)).hasMessageContaining("maxDelay");
        assertThatThrownBy(() -> new RetryPolicy(3, Duration.ofMillis(10), Duration.ofSeconds(1), 1.5)).hasMessageContaining("jitter");
    }
}
