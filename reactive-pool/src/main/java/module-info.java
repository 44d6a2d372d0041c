/**
 * Sluice's pools: {@code PgPool} over r2dbc-pool, the {@code PoolRegistry} of named pools and KV stores,
 * the NATS JetStream KV stores, the shared configuration model and the check API.
 *
 * <p>Only the API packages are exported; {@code dev.sluice.pool.internal} and {@code dev.sluice.pool.kv.internal}
 * stay inside this module.
 *
 * <p>jnats is optional: a registry configured for PostgreSQL only never loads a NATS class. An application on
 * the module path that configures KV stores adds {@code requires io.nats.jnats} (or
 * {@code --add-modules io.nats.jnats}) and has jnats on its module path.
 */
// The dependencies are automatic modules (no module-info of their own): javac's warnings about that say nothing
// to act on.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.sluice.pool {
    requires transitive reactor.core;
    requires transitive org.reactivestreams;
    requires transitive r2dbc.spi;
    requires transitive r2dbc.pool;
    requires transitive reactor.pool;
    requires transitive com.fasterxml.jackson.databind;
    requires r2dbc.postgresql;
    requires java.sql;
    requires static io.nats.jnats;
    requires HdrHistogram;
    requires io.github.resilience4j.circuitbreaker;
    requires org.slf4j;

    exports dev.sluice.pool;
    exports dev.sluice.pool.check;
    exports dev.sluice.pool.config;
    exports dev.sluice.pool.kv;
    exports dev.sluice.pool.loop;
}
