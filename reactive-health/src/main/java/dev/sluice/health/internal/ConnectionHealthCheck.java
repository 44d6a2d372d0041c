package dev.sluice.health.internal;

import dev.sluice.health.HealthConfig;
import dev.sluice.health.Subject;
import dev.sluice.pool.check.CheckResult;
import dev.sluice.pool.check.HealthCheck;
import dev.sluice.pool.check.HealthStatus;
import dev.sluice.pool.check.Reading;
import dev.sluice.pool.kv.ConnectionStats;
import dev.sluice.pool.kv.KvStores;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The built-in check of one NATS connection of the KV stores: its state, and a round trip through the server within
 * the check's time limit (one measurement of every connection per round, shared by their checks). A connection that
 * is not CONNECTED is UNHEALTHY whatever the round trip says; one whose round trip is slower than the degraded
 * threshold is DEGRADED.
 */
public final class ConnectionHealthCheck implements HealthCheck, SelfTimed {

    private final int index;
    private final KvStores stores;
    private final Supplier<Mono<List<Duration>>> roundTrips;
    private final HealthConfig config;

    /** The check of connection {@code index}, reading the round's measurement from {@code roundTrips}. */
    public ConnectionHealthCheck(int index, KvStores stores, Supplier<Mono<List<Duration>>> roundTrips, HealthConfig config) {
        this.index = index;
        this.stores = stores;
        this.roundTrips = roundTrips;
        this.config = config;
    }

    @Override
    public String kind() {
        return Subject.NATS;
    }

    @Override
    public String name() {
        return Integer.toString(index);
    }

    @Override
    public Map<String, String> tags() {
        return Map.of("connection", name());
    }

    @Override
    public Optional<Duration> timeLimit() {
        return Optional.of(config.connectionCheckTimeout());
    }

    @Override
    public Mono<CheckResult> check() {
        return Mono.defer(() -> {
            Optional<ConnectionStats> found = stores.stats().connections().stream().filter(c -> c.index() == index).findFirst();
            if (found.isEmpty()) {
                return Mono.just(CheckResult.unhealthy("connection " + index + " is gone").build());
            }
            ConnectionStats c = found.get();
            boolean connected = "CONNECTED".equals(c.status());
            CheckResult.Builder result = CheckResult.healthy()
                    .reading("nats.connected", Reading.count(connected ? 1 : 0))
                    .reading("nats.in.flight", Reading.count(c.inFlight()))
                    .detail("state", c.status());
            if (c.server() != null) {
                result.detail("server", c.server());
            }
            Duration limit = config.connectionCheckTimeout();
            return roundTrips.get()
                    .timeout(limit, config.scheduler())
                    .map(trips -> {
                        if (index < trips.size()) {
                            Duration trip = trips.get(index);
                            result.reading("nats.round.trip", Reading.millis(trip));
                            if (trip.compareTo(config.connectionDegradedAfter()) > 0) {
                                result.status(HealthStatus.DEGRADED, null);
                            }
                        } else {
                            result.status(HealthStatus.UNHEALTHY, "round trip failed: no measurement");
                        }
                        return connected ? result.build() : result.status(HealthStatus.UNHEALTHY, "connection is " + c.status()).build();
                    })
                    .onErrorResume(error -> Mono.just(result.status(HealthStatus.UNHEALTHY,
                            connected ? "round trip failed: " + SelfTimed.reason(error, limit) : "connection is " + c.status()).build()));
        });
    }

    @Override
    public String toString() {
        return "ConnectionHealthCheck[" + index + "]";
    }
}
