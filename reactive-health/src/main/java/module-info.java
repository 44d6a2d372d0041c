/**
 * Sluice's health: the {@code HealthMonitor} sampling pools and KV stores, alert rules, the Micrometer binding
 * and the HTTP endpoint serving health, readiness and Prometheus metrics.
 *
 * <p>The API packages are exported; {@code dev.sluice.health.internal} stays inside this module.
 */
// The dependencies are automatic modules (no module-info of their own): javac's warning says nothing to act on.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.sluice.health {
    requires transitive dev.sluice.pool;
    requires transitive micrometer.core;
    requires transitive micrometer.registry.prometheus;
    requires transitive reactor.netty.http;
    requires reactor.netty.core;
    requires io.netty.buffer;
    requires io.netty.codec.http;
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;

    exports dev.sluice.health;
    exports dev.sluice.health.http;
    exports dev.sluice.health.micrometer;
    exports dev.sluice.health.server;
}
