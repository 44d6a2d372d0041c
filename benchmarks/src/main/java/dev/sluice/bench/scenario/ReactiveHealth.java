package dev.sluice.bench.scenario;

import dev.sluice.health.AlertRules;
import dev.sluice.health.HealthConfig;
import dev.sluice.health.HealthMonitor;
import dev.sluice.health.micrometer.HealthMetrics;
import dev.sluice.pool.PoolRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.Optional;

/**
 * reactive-health around a registry, as an application would run it: the shared sampler every second, the
 * Micrometer binding on a Prometheus registry (scraped once a second, like a busy scraper), and the default
 * alert rules with their log sink.
 */
final class ReactiveHealth implements HealthInstrumentation {

    private static final Duration INTERVAL = Duration.ofSeconds(1);

    @Override
    public String description() {
        return "health sampler (1 s), Micrometer binding (Prometheus, scraped every second) and default alert rules";
    }

    @Override
    public Optional<String> unavailable() {
        return Optional.empty();
    }

    @Override
    public AutoCloseable attach(PoolRegistry registry) {
        HealthMonitor monitor = HealthMonitor.create(registry, HealthConfig.builder().interval(INTERVAL).rules(AlertRules.defaults()).build());
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        HealthMetrics metrics = new HealthMetrics(monitor);
        metrics.bindTo(meters);
        monitor.start().block(Duration.ofSeconds(30));
        reactor.core.Disposable scrapes = reactor.core.publisher.Flux.interval(INTERVAL).subscribe(tick -> meters.scrape());
        return () -> {
            scrapes.dispose();
            metrics.close();
            monitor.close();
            meters.close();
        };
    }
}
