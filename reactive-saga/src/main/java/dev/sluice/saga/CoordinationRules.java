package dev.sluice.saga;

import dev.sluice.pool.PgPool;
import dev.sluice.saga.internal.KvEffect;
import dev.sluice.saga.internal.SqlEffect;

import java.util.List;

/** Which steps each {@link Coordination} accepts; checked when a definition is built. */
final class CoordinationRules {

    private CoordinationRules() {
    }

    static void check(String saga, Coordination coordination, List<SagaStep> steps) {
        if (coordination == Coordination.SAGA) {
            return;
        }
        List<SqlEffect> sql = steps.stream().filter(s -> s.effect() instanceof SqlEffect).map(s -> (SqlEffect) s.effect()).toList();
        if (sql.stream().map(SqlEffect::pool).distinct().count() > 1) {
            throw new SagaDefinitionException("saga '" + saga + "' (" + coordination + "): its SQL steps use pools "
                    + sql.stream().map(e -> "'" + e.pool().name() + "'").distinct().toList()
                    + "; they run in one transaction, so give them all the same pool");
        }
        if (coordination == Coordination.TWO_PHASE && sql.isEmpty()) {
            throw new SagaDefinitionException("saga '" + saga + "' (TWO_PHASE) has no SQL step: there is nothing to prepare; "
                    + "use Coordination.SAGA");
        }
        if (coordination == Coordination.EVENTUAL) {
            for (SagaStep step : steps) {
                boolean allowed = step.effect() instanceof SqlEffect
                        || step.effect() instanceof KvEffect kv && (kv.kind() == KvEffect.Kind.PUT || kv.kind() == KvEffect.Kind.DELETE);
                if (!allowed) {
                    throw new SagaDefinitionException("saga '" + saga + "' (EVENTUAL): step '" + step.id() + "' is not a SQL, kvPut "
                            + "or kvDelete step; an eventual saga commits its SQL and outbox rows in one transaction and writes KV "
                            + "later without reading it, so kvCreate and kvUpdate (which depend on the key's value) and Mono steps "
                            + "(whose effect cannot join the transaction) cannot be part of it: use Coordination.SAGA or TWO_PHASE");
                }
            }
        }
    }

    static PgPool sqlPool(SagaDefinition definition, PgPool fallback) {
        return definition.steps().stream().filter(s -> s.effect() instanceof SqlEffect).map(s -> ((SqlEffect) s.effect()).pool())
                .findFirst().orElse(fallback);
    }
}
