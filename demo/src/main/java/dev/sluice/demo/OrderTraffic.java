package dev.sluice.demo;

import dev.sluice.pool.PgPool;
import reactor.core.publisher.Mono;

import java.util.concurrent.ThreadLocalRandom;

/** Writes an order on the primary pool, then reads the customer's order count while holding the connection ~30 ms. */
final class OrderTraffic implements Traffic {

    static final String TABLE = "sluice_demo_orders";
    static final String CREATE = "CREATE TABLE IF NOT EXISTS " + TABLE
            + " (id bigserial PRIMARY KEY, customer int NOT NULL, amount numeric(10,2) NOT NULL, at timestamptz NOT NULL DEFAULT now())";

    private final PgPool primary;

    OrderTraffic(PgPool primary) {
        this.primary = primary;
    }

    @Override
    public String name() {
        return "orders";
    }

    @Override
    public Mono<Void> once(long n) {
        int customer = ThreadLocalRandom.current().nextInt(1, 500);
        double amount = ThreadLocalRandom.current().nextInt(100, 100_000) / 100.0;
        return primary.update("INSERT INTO " + TABLE + " (customer, amount) VALUES ($1, $2)", customer, amount)
                .then(primary.queryOne("SELECT count(*) FROM " + TABLE + ", pg_sleep(0.03) WHERE customer = $1",
                        row -> row.get(0, Long.class), customer))
                .then();
    }
}
