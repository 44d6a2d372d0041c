/**
 * Sluice's sagas: the {@code SagaExecutor} over a {@code PgPool}, the saga log in PostgreSQL, recovery, the
 * outbox relay and the manual-intervention queue.
 *
 * <p>Only {@code dev.sluice.saga} is exported; {@code dev.sluice.saga.internal} stays inside this module.
 * Micrometer is optional: only applications that bind {@code SagaMetrics} need it on their module path.
 */
// The dependencies are automatic modules (no module-info of their own): javac's warning says nothing to act on.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.sluice.saga {
    requires transitive dev.sluice.pool;
    requires transitive com.fasterxml.jackson.databind;
    requires static transitive micrometer.core;
    requires java.management;
    requires org.slf4j;

    exports dev.sluice.saga;
}
