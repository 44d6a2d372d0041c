package dev.sluice.saga;

import dev.sluice.pool.kv.KvStore;

import java.nio.charset.StandardCharsets;

/**
 * The eventual saga of the outbox restart test, shared by the relays that are interrupted and the one that takes
 * over: one {@code kvPut} per account, {@code acct.<i>}, each writing the saga's round ({@code r<round>}).
 */
final class OutboxLedger {

    static final int ACCOUNTS = 40;

    private OutboxLedger() {
    }

    static SagaDefinition definition(KvStore kv) {
        SagaDefinition.Builder builder = SagaDefinition.builder("outbox-ledger").version(1).coordination(Coordination.EVENTUAL);
        for (int i = 0; i < ACCOUNTS; i++) {
            String key = "acct." + i;
            builder.step(SagaStep.kvPut("post-" + i, kv, ctx -> key,
                    ctx -> ("r" + ctx.input().get("round").asInt()).getBytes(StandardCharsets.UTF_8)));
        }
        return builder.build();
    }
}
