package dev.sluice.demo;

import dev.sluice.pool.PgPool;
import reactor.core.publisher.Mono;

/** A reporting query on the analytics pool: totals over every order, taking at least 200 ms. */
final class ReportTraffic implements Traffic {

    private final PgPool analytics;

    ReportTraffic(PgPool analytics) {
        this.analytics = analytics;
    }

    @Override
    public String name() {
        return "reports";
    }

    @Override
    public Mono<Void> once(long n) {
        return analytics.queryOne("SELECT count(*), coalesce(sum(amount), 0) FROM " + OrderTraffic.TABLE + ", pg_sleep(0.2)",
                        row -> row.get(0, Long.class))
                .then();
    }
}
