package dev.sluice.health.http;

import dev.sluice.health.HealthMonitor;
import dev.sluice.health.micrometer.HealthMetrics;
import dev.sluice.pool.Lifecycle;
import dev.sluice.pool.config.Problems;
import dev.sluice.pool.config.Setting;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * The HTTP endpoint of a {@link HealthMonitor}, on Reactor Netty. Opt-in: nothing listens until
 * {@link Builder#start()}; it binds to loopback ({@code 127.0.0.1}) unless told otherwise.
 *
 * <table>
 *   <caption>Routes (GET only: other methods get 405 with {@code Allow: GET}; other paths 404)</caption>
 *   <tr><th>path</th><th>answer</th></tr>
 *   <tr><td>{@code /health}</td><td>JSON report of the latest round: status, readiness, every check, every sample and the
 *       alerts firing; 200, or 503 when the status is UNHEALTHY or no round has completed</td></tr>
 *   <tr><td>{@code /health/live}</td><td>200 {@code {"status":"UP"}} whenever the process answers: pools never affect it</td></tr>
 *   <tr><td>{@code /health/ready}</td><td>200 {@code READY} or 503 {@code NOT_READY} with the reasons; degraded or
 *       unhealthy subjects and open breakers affect readiness only</td></tr>
 *   <tr><td>{@code /health/stream}</td><td>Server-Sent Events: {@code sample} and {@code alert} events with ids, and
 *       keep-alive comments; a client that disconnects releases its subscription</td></tr>
 *   <tr><td>{@code /metrics}</td><td>Prometheus text format (0.0.4) of the meter registry</td></tr>
 * </table>
 *
 * <p>The endpoint has one event-loop thread of its own, so busy database connections never delay a probe. Requests
 * read the monitor's latest round: they never run a check themselves.
 */
public final class HealthEndpoint implements Lifecycle {

    private final DisposableServer server;
    private final LoopResources loops;
    private final EventStream stream;
    private final HealthMetrics ownMetrics;
    private final PrometheusMeterRegistry ownRegistry;

    private HealthEndpoint(DisposableServer server, LoopResources loops, EventStream stream, HealthMetrics ownMetrics,
                           PrometheusMeterRegistry ownRegistry) {
        this.server = server;
        this.loops = loops;
        this.stream = stream;
        this.ownMetrics = ownMetrics;
        this.ownRegistry = ownRegistry;
    }

    /** A builder for an endpoint serving {@code monitor}: host 127.0.0.1, port 8080, keep-alive every 15 s. */
    public static Builder builder(HealthMonitor monitor) {
        return new Builder(monitor);
    }

    /** The address listened on. */
    public String host() {
        return server.host();
    }

    /** The port listened on (the one chosen when the builder asked for port 0). */
    public int port() {
        return server.port();
    }

    /** The URI of {@code path} on this endpoint, such as {@code http://127.0.0.1:8080/health}. */
    public URI uri(String path) {
        String host = host().contains(":") ? "[" + host() + "]" : host();
        return URI.create("http://" + host + ":" + port() + path);
    }

    /** Clients connected to {@code /health/stream} now. */
    public int openStreams() {
        return stream.open();
    }

    /**
     * An endpoint exists once {@link Builder#start()} has bound it, so this completes at once while it listens.
     * Cold.
     *
     * @return fails with {@link IllegalStateException} once the endpoint is stopped
     */
    @Override
    public Mono<Void> start() {
        return Mono.defer(() -> server.isDisposed()
                ? Mono.error(new IllegalStateException("health endpoint " + uri("") + " is stopped; build a new one to listen again"))
                : Mono.empty());
    }

    /**
     * Stops listening, closes open connections (event streams end) and releases the endpoint's thread; the metrics
     * binding the endpoint made for itself stops. Cold, idempotent; completes within a few seconds. The monitor stays
     * open.
     */
    @Override
    public Mono<Void> stop() {
        return Mono.<Void>fromRunnable(this::stopNow).subscribeOn(Schedulers.boundedElastic());
    }

    private synchronized void stopNow() {
        if (!server.isDisposed()) {
            server.disposeNow(Duration.ofSeconds(5));
        }
        if (ownMetrics != null) {
            ownMetrics.close();
            ownRegistry.close();
        }
        loops.disposeLater(Duration.ZERO, Duration.ofSeconds(2)).block(Duration.ofSeconds(5));
    }

    /** {@link #stop()}, waiting until it is over. */
    @Override
    public void close() {
        stopNow();
    }

    @Override
    public String toString() {
        return "HealthEndpoint[" + uri("") + "]";
    }

    /** The port to listen on; 0 picks a free one. */
    public static final Setting<Integer> PORT = Setting.integer("port", 8080, 0, 65_535);
    /** Interval of keep-alive comments on event streams. */
    public static final Setting<Duration> KEEP_ALIVE = Setting.duration("keepAlive", Duration.ofSeconds(15), Duration.ofMillis(100),
            Duration.ofMinutes(10));

    /** Builds and starts a {@link HealthEndpoint}; the settings are checked together when it starts. */
    public static final class Builder {
        private final HealthMonitor monitor;
        private String host = "127.0.0.1";
        private int port = 8080;
        private Duration keepAlive = Duration.ofSeconds(15);
        private PrometheusMeterRegistry prometheus;

        private Builder(HealthMonitor monitor) {
            this.monitor = Objects.requireNonNull(monitor, "monitor");
        }

        /** The address to listen on; {@code 127.0.0.1} by default ({@code 0.0.0.0} listens on every interface). */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** The port, 0 to 65535; 8080 by default, 0 for any free port (see {@link HealthEndpoint#port()}). */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Interval of keep-alive comments on event streams, 100 ms to 10 min; 15 s by default. */
        public Builder keepAlive(Duration keepAlive) {
            this.keepAlive = keepAlive;
            return this;
        }

        /**
         * The registry {@code /metrics} serves, as it is (bind {@link HealthMetrics} to it yourself). Without one, the
         * endpoint makes its own registry with the monitor's {@link HealthMetrics} bound.
         */
        public Builder meterRegistry(PrometheusMeterRegistry prometheus) {
            this.prometheus = Objects.requireNonNull(prometheus, "prometheus");
            return this;
        }

        /**
         * Starts listening. Cold: binds on subscription and emits the running endpoint.
         *
         * @return fails with {@link dev.sluice.pool.config.ConfigException} listing the port and keep-alive values out
         *         of range, or with {@link IllegalStateException} naming the address when it cannot listen there
         *         (such as a port in use)
         */
        public Mono<HealthEndpoint> start() {
            return Mono.defer(() -> {
                Problems problems = new Problems("health endpoint");
                problems.check(PORT, port);
                if (keepAlive == null) {
                    problems.add(KEEP_ALIVE, null, "is required");
                } else {
                    problems.check(KEEP_ALIVE, keepAlive);
                }
                problems.throwIfAny();
                PrometheusMeterRegistry registry = prometheus;
                HealthMetrics own = null;
                if (registry == null) {
                    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
                    own = new HealthMetrics(monitor);
                    own.bindTo(registry);
                }
                HealthMetrics metrics = own;
                PrometheusMeterRegistry served = registry;
                EventStream stream = new EventStream(monitor, keepAlive, Schedulers.parallel());
                LoopResources loops = LoopResources.create("sluice-health-http", 1, true);
                return HttpServer.create()
                        .runOn(loops)
                        .host(host)
                        .port(port)
                        .handle(new Routes(monitor, stream, served))
                        .bind()
                        .map(server -> new HealthEndpoint(server, loops, stream, metrics, metrics == null ? null : served))
                        .onErrorMap(error -> {
                            if (metrics != null) {
                                metrics.close();
                                served.close();
                            }
                            loops.dispose();
                            return new IllegalStateException("health endpoint cannot listen on " + host + ":" + port + ": " + error.getMessage()
                                    + (port != 0 ? "; choose another port (0 picks a free one)" : ""), error);
                        });
            });
        }
    }
}
