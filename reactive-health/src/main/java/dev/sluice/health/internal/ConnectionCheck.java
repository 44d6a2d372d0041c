package dev.sluice.health.internal;

import dev.sluice.health.CheckResult;
import dev.sluice.health.HealthStatus;
import dev.sluice.health.Subject;
import dev.sluice.pool.kv.ConnectionStats;
import dev.sluice.pool.kv.KvStores;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The state of every NATS connection of the KV stores, and a round trip through the server on each, within the
 * check's time limit. A connection that is not CONNECTED is UNHEALTHY whatever the round trip says.
 */
public final class ConnectionCheck {

    /** One connection's result, its state and the round trip measured. */
    public record Outcome(CheckResult result, ConnectionStats stats, Optional<Duration> roundTrip) {
    }

    private final TimedCheck timed;

    /** A connection check with this timing. */
    public ConnectionCheck(TimedCheck timed) {
        this.timed = timed;
    }

    /** Cold; emits one outcome per connection in pool order, never fails, ends within the time limit. */
    public Mono<List<Outcome>> run(KvStores stores) {
        return Mono.defer(() -> {
            AtomicReference<List<Duration>> trips = new AtomicReference<>(List.of());
            Subject all = new Subject(Subject.Kind.CONNECTION, "all");
            return timed.run(all, stores.measureRoundTrips().doOnNext(trips::set))
                    .map(probe -> outcomes(stores.stats().connections(), probe, trips.get()));
        });
    }

    private List<Outcome> outcomes(List<ConnectionStats> connections, CheckResult probe, List<Duration> trips) {
        List<Outcome> outcomes = new ArrayList<>(connections.size());
        for (ConnectionStats c : connections) {
            Subject subject = Subject.connection(c.index());
            Optional<Duration> trip = probe.answered() && c.index() < trips.size() ? Optional.of(trips.get(c.index())) : Optional.empty();
            CheckResult result;
            if (!"CONNECTED".equals(c.status())) {
                result = new CheckResult(subject, HealthStatus.UNHEALTHY, probe.latency(), Optional.of("connection is " + c.status()), probe.at());
            } else if (trip.isPresent()) {
                result = new CheckResult(subject, timed.statusFor(trip.get()), trip.get(), Optional.empty(), probe.at());
            } else {
                result = new CheckResult(subject, HealthStatus.UNHEALTHY, probe.latency(),
                        Optional.of("round trip failed: " + probe.error().orElse("no measurement")), probe.at());
            }
            outcomes.add(new Outcome(result, c, trip));
        }
        return outcomes;
    }
}
