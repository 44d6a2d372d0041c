package dev.sluice.health;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A NATS connection of the KV stores at one sampling round.
 *
 * @param id               see {@link HealthSample#id()}
 * @param round            see {@link HealthSample#round()}
 * @param at               see {@link HealthSample#at()}
 * @param subject          the connection, by index
 * @param check            this round's connection state and round-trip check
 * @param state            jnats' status of the connection: CONNECTED, DISCONNECTED, RECONNECTING, CLOSED, ...
 * @param server           the server it is connected to (no credentials), when connected
 * @param roundTrip        the round-trip time measured by this round's check, when it answered
 * @param reconnects       reconnects since the connection was opened
 * @param operations       operations sent on it since it was opened
 * @param inFlight         operations sent and not yet answered
 * @param checkSuccessRate see {@link HealthSample#checkSuccessRate()}
 * @param checks           see {@link HealthSample#checks()}
 */
public record ConnectionSample(long id, long round, Instant at, Subject subject, CheckResult check, String state,
                               Optional<String> server, Optional<Duration> roundTrip, long reconnects, long operations,
                               long inFlight, double checkSuccessRate, int checks) implements HealthSample {
}
