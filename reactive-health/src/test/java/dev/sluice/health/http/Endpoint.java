package dev.sluice.health.http;

import dev.sluice.health.HealthConfig;
import dev.sluice.health.HealthMonitor;
import dev.sluice.pool.PoolRegistry;
import dev.sluice.pool.RegistryConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A started registry, monitor and endpoint on a free port, closed together; and a plain HTTP client for them. */
final class Endpoint implements AutoCloseable {

    static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final PoolRegistry registry;
    final HealthMonitor monitor;
    final HealthEndpoint endpoint;

    Endpoint(RegistryConfig registryConfig, HealthConfig healthConfig, Duration keepAlive) {
        this(registryConfig, healthConfig, keepAlive, r -> { });
    }

    /** As above, handing the started registry to {@code started} before the monitor starts. */
    Endpoint(RegistryConfig registryConfig, HealthConfig healthConfig, Duration keepAlive, java.util.function.Consumer<PoolRegistry> started) {
        this.registry = PoolRegistry.create(registryConfig);
        registry.start().block();
        started.accept(registry);
        this.monitor = HealthMonitor.create(registry, healthConfig);
        monitor.start().block();
        this.endpoint = HealthEndpoint.builder(monitor).port(0).keepAlive(keepAlive).start().block();
    }

    URI uri(String path) {
        return endpoint.uri(path);
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET().build());
    }

    static HttpResponse<String> send(HttpRequest request) {
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        endpoint.close();
        monitor.close();
        registry.close();
    }
}
