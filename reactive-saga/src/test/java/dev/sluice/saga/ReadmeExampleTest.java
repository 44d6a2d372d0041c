package dev.sluice.saga;

import dev.sluice.pool.PgPool;
import dev.sluice.pool.RetryPolicy;
import dev.sluice.pool.kv.KvStore;
import dev.sluice.testkit.NatsServer;
import dev.sluice.testkit.PostgresServer;
import dev.sluice.testkit.SluiceExtension;
import dev.sluice.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's example, compiled and run as written. */
@ExtendWith(SluiceExtension.class)
class ReadmeExampleTest {

    static SagaResult placeOrder(PgPool pool, KvStore stock) {
        // README example start
        SagaLog log = SagaLog.create(pool, new SagaLogConfig("sluice", ""));
        log.migrate().block();                                   // once, at start-up (idempotent)

        SagaDefinition placeOrder = SagaDefinition.builder("place-order").version(1)
                .step(SagaStep.kvUpdate("reserve", stock, ctx -> "sku." + ctx.input().get("sku").asText(),
                        (ctx, entry) -> String.valueOf(Integer.parseInt(entry.valueAsString()) - 1)
                                .getBytes(StandardCharsets.UTF_8)))
                .step(SagaStep.sql("insert-order", pool)
                        .query("INSERT INTO orders (sku) VALUES ($1) RETURNING id",
                                ctx -> new Object[]{ctx.input().get("sku").asText()})
                        .compensation("DELETE FROM orders WHERE id = $1")
                        .build())
                .step(SagaStep.of("notify", ctx -> Mono.just("sent"))
                        .noCompensation()
                        .timeout(Duration.ofSeconds(2))
                        .retry(RetryPolicy.attempts(3)))
                .consistencyCheck(ctx -> Mono.empty())
                .build();

        try (SagaExecutor sagas = SagaExecutor.builder(log).recoveryInterval(Duration.ofSeconds(5)).register(placeOrder).build()) {
            sagas.recovery().start().block();
            SagaResult result = sagas.run(placeOrder, Map.of("sku", "lamp"), "request-17").block();
            sagas.recovery().stop().block();
            return result;
        }
        // README example end
    }

    @Test
    void theReadmeExampleCompletesAnOrder(TestDatabase db, NatsServer nats) {
        try (SagaFixture fx = new SagaFixture(db, nats, SagaLogConfig.DEFAULT)) {
            PostgresServer.execute(db, "CREATE TABLE orders (id bigserial PRIMARY KEY, sku text NOT NULL)");
            fx.kv.put("sku.lamp", "5").block(SagaFixture.WAIT);

            SagaResult result = placeOrder(fx.pool, fx.kv);

            assertThat(result.outcome()).isEqualTo(SagaOutcome.COMPLETED);
            assertThat(fx.kv.get("sku.lamp").block(SagaFixture.WAIT).valueAsString()).isEqualTo("4");
            assertThat(fx.query("SELECT count(*) FROM orders")).isEqualTo("1");
        }
    }
}
