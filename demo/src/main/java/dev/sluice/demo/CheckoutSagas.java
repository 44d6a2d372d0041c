package dev.sluice.demo;

import dev.sluice.pool.PgPool;
import dev.sluice.pool.kv.KvStore;
import dev.sluice.saga.SagaDefinition;
import dev.sluice.saga.SagaExecutor;
import dev.sluice.saga.SagaOutcome;
import dev.sluice.saga.SagaStep;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * A checkout saga across both stores: reserve a cart in KV, insert the order in PostgreSQL, then charge the
 * card. One charge in five is declined, so those sagas roll back: the order row is deleted and the
 * reservation removed, in reverse order, and both stores agree again.
 */
final class CheckoutSagas implements Traffic {

    static final String TABLE = "sluice_demo_checkouts";
    static final String CREATE = "CREATE TABLE IF NOT EXISTS " + TABLE
            + " (id bigserial PRIMARY KEY, cart text NOT NULL, at timestamptz NOT NULL DEFAULT now())";

    private final SagaExecutor executor;
    private final SagaDefinition checkout;
    private final Map<SagaOutcome, LongAdder> outcomes = new EnumMap<>(SagaOutcome.class);

    CheckoutSagas(SagaExecutor executor, PgPool primary, KvStore carts) {
        this.executor = executor;
        for (SagaOutcome outcome : SagaOutcome.values()) {
            outcomes.put(outcome, new LongAdder());
        }
        this.checkout = SagaDefinition.builder("demo-checkout")
                .step(SagaStep.kvCreate("reserve-cart", carts, ctx -> "cart." + ctx.input().get("cart").asText(),
                        ctx -> "reserved".getBytes(StandardCharsets.UTF_8)))
                .step(SagaStep.sql("insert-order", primary)
                        .query("INSERT INTO " + TABLE + " (cart) VALUES ($1) RETURNING id",
                                ctx -> new Object[]{ctx.input().get("cart").asText()})
                        .compensation("DELETE FROM " + TABLE + " WHERE id = $1")
                        .build())
                .step(SagaStep.of("charge-card", ctx -> ThreadLocalRandom.current().nextInt(5) == 0
                                ? Mono.<String>error(new IllegalStateException("card declined"))
                                : Mono.just("charged"))
                        .noCompensation())
                .build();
        executor.register(checkout);
    }

    @Override
    public String name() {
        return "checkouts";
    }

    @Override
    public Mono<Void> once(long n) {
        return executor.run(checkout, Map.of("cart", UUID.randomUUID().toString()))
                .doOnNext(result -> outcomes.get(result.outcome()).increment())
                .then();
    }

    /** One line for the summary: how the sagas ended. */
    String summary() {
        return "sagas: " + outcomes.get(SagaOutcome.COMPLETED).sum() + " completed, "
                + outcomes.get(SagaOutcome.ROLLED_BACK).sum() + " rolled back (declined card: order deleted, cart released), "
                + outcomes.get(SagaOutcome.COMPENSATION_FAILED).sum() + " compensation failed";
    }
}
