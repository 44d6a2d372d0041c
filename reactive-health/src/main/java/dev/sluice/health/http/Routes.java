package dev.sluice.health.http;

import dev.sluice.health.HealthMonitor;
import dev.sluice.health.HealthReport;
import dev.sluice.pool.check.HealthStatus;
import dev.sluice.health.Readiness;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

/** Dispatches the endpoint's requests: five GET routes, 404 for any other path, 405 for any other method. */
final class Routes implements BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> {

    static final List<String> PATHS = List.of("/health", "/health/live", "/health/ready", "/health/stream", "/metrics");

    private static final String JSON = "application/json";
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final HealthMonitor monitor;
    private final EventStream stream;
    private final PrometheusMeterRegistry prometheus;

    Routes(HealthMonitor monitor, EventStream stream, PrometheusMeterRegistry prometheus) {
        this.monitor = monitor;
        this.stream = stream;
        this.prometheus = prometheus;
    }

    @Override
    public Publisher<Void> apply(HttpServerRequest request, HttpServerResponse response) {
        String path = new QueryStringDecoder(request.uri()).path();
        if (!PATHS.contains(path)) {
            return json(response, HttpResponseStatus.NOT_FOUND, Json.error(404, "no such path: " + path, PATHS));
        }
        if (!HttpMethod.GET.equals(request.method())) {
            response.header(HttpHeaderNames.ALLOW, "GET");
            return json(response, HttpResponseStatus.METHOD_NOT_ALLOWED,
                    Json.error(405, request.method().name() + " is not allowed on " + path + "; use GET", PATHS));
        }
        return switch (path) {
            case "/health" -> health(response);
            case "/health/live" -> json(response, HttpResponseStatus.OK, Json.live());
            case "/health/ready" -> ready(response);
            case "/health/stream" -> events(response);
            default -> metrics(response);
        };
    }

    private Publisher<Void> health(HttpServerResponse response) {
        Optional<HealthReport> report = monitor.report();
        if (report.isEmpty()) {
            return json(response, HttpResponseStatus.SERVICE_UNAVAILABLE, Json.starting());
        }
        HttpResponseStatus status = report.get().status() == HealthStatus.UNHEALTHY ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.OK;
        return json(response, status, Json.report(report.get()));
    }

    private Publisher<Void> ready(HttpServerResponse response) {
        Readiness readiness = monitor.report().map(HealthReport::readiness).orElse(Readiness.STARTING);
        return json(response, readiness.ready() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, Json.readiness(readiness));
    }

    private Publisher<Void> events(HttpServerResponse response) {
        return response.status(HttpResponseStatus.OK)
                .header(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .header(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                .header("X-Accel-Buffering", "no")
                .send(stream.events().map(text -> utf8(response, text)), buffer -> true);
    }

    private Publisher<Void> metrics(HttpServerResponse response) {
        return response.status(HttpResponseStatus.OK)
                .header(HttpHeaderNames.CONTENT_TYPE, PROMETHEUS_TEXT)
                .sendString(Mono.fromCallable(prometheus::scrape), StandardCharsets.UTF_8);
    }

    private static Publisher<Void> json(HttpServerResponse response, HttpResponseStatus status, String body) {
        return response.status(status)
                .header(HttpHeaderNames.CONTENT_TYPE, JSON)
                .header(HttpHeaderNames.CACHE_CONTROL, "no-store")
                .sendString(Mono.just(body), StandardCharsets.UTF_8);
    }

    private static ByteBuf utf8(HttpServerResponse response, String text) {
        ByteBuf buffer = response.alloc().buffer(text.length());
        buffer.writeCharSequence(text, StandardCharsets.UTF_8);
        return buffer;
    }
}
