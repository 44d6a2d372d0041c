package dev.sluice.saga;

import dev.sluice.pool.PgPool;
import dev.sluice.pool.kv.KvStore;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The two-phase saga of the two-phase crash test, shared by the worker that is killed and the instance that
 * recovers: insert an order row (prepared), reserve a KV key, wait for a verdict the test writes to KV
 * ({@code verdict.<n>}: {@code yes} or {@code no}), then mark a second KV key.
 */
final class TwoPhaseCrashWorkload {

    /** Where the killed worker holds saga {@code n} when it is killed. */
    enum Stop {
        /** The decision to commit is logged ({@code COMMITTING}); {@code COMMIT PREPARED} is never sent. */
        DECIDED,
        /** Logged {@code PREPARED}; waiting in {@code confirm} for a verdict that comes only after the kill. */
        PREPARED,
        /** Prepared on the server, but the log still says {@code PREPARING}: nothing was sent after the prepare. */
        PREPARING
    }

    private TwoPhaseCrashWorkload() {
    }

    static SagaDefinition definition(KvStore kv, PgPool pool, String table) {
        return SagaDefinition.builder("two-phase-crash").version(1).coordination(Coordination.TWO_PHASE)
                .step(SagaStep.sql("order", pool)
                        .query("INSERT INTO " + table + " (saga_id, n) VALUES ($1::uuid, $2) RETURNING id",
                                ctx -> new Object[]{ctx.sagaId().toString(), n(ctx)})
                        .noCompensation()
                        .build())
                .step(SagaStep.kvPut("reserve", kv, ctx -> "item." + n(ctx), ctx -> bytes(n(ctx))))
                .step(SagaStep.of("confirm", ctx -> kv.get("verdict." + n(ctx))
                                .repeatWhenEmpty(retries -> retries.delayElements(Duration.ofMillis(250)))
                                .flatMap(verdict -> "yes".equals(verdict.valueAsString()) ? Mono.just("confirmed")
                                        : Mono.error(new IllegalStateException("saga " + n(ctx) + " refused"))))
                        .noCompensation()
                        .timeout(Duration.ofMinutes(10)))
                .step(SagaStep.kvPut("mark", kv, ctx -> "mark." + n(ctx), ctx -> bytes(n(ctx))))
                .build();
    }

    static Stop stop(int n) {
        return switch (n % 4) {
            case 0 -> Stop.DECIDED;
            case 3 -> Stop.PREPARING;
            default -> Stop.PREPARED;
        };
    }

    /** The verdict for saga {@code n}: every decided saga is confirmed, the others half and half. */
    static boolean confirmed(int n) {
        return n % 4 == 0 || n % 4 == 1 || n % 8 == 3;
    }

    private static int n(SagaContext ctx) {
        return ctx.input().get("n").asInt();
    }

    private static byte[] bytes(int n) {
        return String.valueOf(n).getBytes(StandardCharsets.UTF_8);
    }
}
