package dev.sluice.saga;

import dev.sluice.pool.PgPool;
import dev.sluice.pool.kv.KvStore;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The saga of the crash test, shared by the worker that is killed and the instance that recovers: reserve a KV key,
 * insert an order row, mark a second KV key, then decide; every fourth saga fails at the decision and is rolled back.
 */
final class CrashWorkload {

    private CrashWorkload() {
    }

    static SagaDefinition definition(KvStore kv, PgPool pool, String table) {
        return SagaDefinition.builder("crash").version(1)
                .step(SagaStep.kvCreate("reserve", kv, ctx -> "item." + n(ctx), ctx -> bytes(n(ctx))))
                .step(SagaStep.sql("order", pool)
                        .query("INSERT INTO " + table + " (saga_id, n) VALUES ($1::uuid, $2) RETURNING id",
                                ctx -> new Object[]{ctx.sagaId().toString(), n(ctx)})
                        .compensation("DELETE FROM " + table + " WHERE id = $1")
                        .build())
                .step(SagaStep.kvPut("mark", kv, ctx -> "mark." + n(ctx), ctx -> bytes(n(ctx))))
                .step(SagaStep.of("decide", ctx -> Mono.delay(Duration.ofMillis(n(ctx) % 7))
                                .then(fails(n(ctx)) ? Mono.error(new IllegalStateException("declined " + n(ctx))) : Mono.just(n(ctx))))
                        .noCompensation())
                .build();
    }

    static boolean fails(int n) {
        return n % 4 == 0;
    }

    private static int n(SagaContext ctx) {
        return ctx.input().get("n").asInt();
    }

    private static byte[] bytes(int n) {
        return String.valueOf(n).getBytes(StandardCharsets.UTF_8);
    }
}
