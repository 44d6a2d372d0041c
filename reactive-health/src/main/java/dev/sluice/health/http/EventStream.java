package dev.sluice.health.http;

import dev.sluice.health.HealthMonitor;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Server-Sent Events of {@code /health/stream}: an opening comment with the reconnect delay, then {@code sample}
 * and {@code alert} events whose ids are the monitor's sample and alert ids, and a keep-alive comment every
 * keep-alive interval. Each subscription is one client.
 */
final class EventStream {

    private static final String OPENING = "retry: 3000\n: sluice health stream\n\n";
    private static final String KEEP_ALIVE = ": keep-alive\n\n";

    private final HealthMonitor monitor;
    private final Duration keepAlive;
    private final Scheduler scheduler;
    private final AtomicInteger open = new AtomicInteger();

    EventStream(HealthMonitor monitor, Duration keepAlive, Scheduler scheduler) {
        this.monitor = monitor;
        this.keepAlive = keepAlive;
        this.scheduler = scheduler;
    }

    /**
     * Cold: each subscription follows the monitor's samples (the latest round first) and alerts until the monitor
     * closes or the subscriber cancels, which releases both subscriptions and the keep-alive timer.
     */
    Flux<String> events() {
        Flux<String> samples = monitor.samples().map(s -> frame(s.id(), "sample", Json.sample(s)));
        Flux<String> alerts = monitor.alerts().map(a -> frame(a.id(), "alert", Json.alert(a)));
        Flux<String> pings = Flux.interval(keepAlive, keepAlive, scheduler).onBackpressureDrop().map(tick -> KEEP_ALIVE);
        return Flux.concat(Mono.just(OPENING), Flux.merge(samples, alerts, pings))
                .takeUntilOther(monitor.terminated())
                .doOnSubscribe(s -> open.incrementAndGet())
                .doFinally(signal -> open.decrementAndGet());
    }

    /** Clients connected now. */
    int open() {
        return open.get();
    }

    private static String frame(long id, String event, String data) {
        return "id: " + id + "\nevent: " + event + "\ndata: " + data + "\n\n";
    }
}
