package dev.sluice.pool.internal;

import dev.sluice.pool.CapacityException;
import dev.sluice.pool.PgPoolConfig;
import dev.sluice.pool.RegistryConfig;
import io.r2dbc.spi.Connection;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Refuses pool sizes that would exhaust a server's connections: for each server, (sum of the maxima of its
 * pools) × (declared app instances) must fit in {@code floor(share × (max_connections −
 * superuser_reserved_connections − reserved_connections))}.
 */
public final class CapacityCheck {

    private CapacityCheck() {
    }

    /** The server's limits as read at start. */
    public record ServerLimits(int maxConnections, int superuserReserved, int reserved) {
        int usable() {
            return maxConnections - superuserReserved - reserved;
        }
    }

    /** Reads the limits of the server behind {@code connection}. Cold. */
    public static Mono<ServerLimits> readLimits(Connection connection) {
        return Flux.from(connection.createStatement("SELECT current_setting('max_connections')::int, "
                        + "current_setting('superuser_reserved_connections')::int, "
                        + "coalesce(current_setting('reserved_connections', true), '0')::int").execute())
                .concatMap(result -> result.map((row, meta) -> new ServerLimits(
                        row.get(0, Integer.class), row.get(1, Integer.class), row.get(2, Integer.class))))
                .single();
    }

    /**
     * Checks every server used by the registry's pools. Cold.
     *
     * @param open opens one unpooled connection to the server of a pool (closed here)
     * @return fails with {@link CapacityException} showing the arithmetic and the fixes
     */
    public static Mono<Void> check(RegistryConfig config, Function<PgPoolConfig, Mono<Connection>> open) {
        Map<String, List<PgPoolConfig>> byServer = config.pools().stream()
                .collect(Collectors.groupingBy(PgPoolConfig::serverAddress, LinkedHashMap::new, Collectors.toList()));
        return Flux.fromIterable(byServer.values())
                .concatMap(pools -> Mono.usingWhen(open.apply(pools.get(0)).onErrorMap(e -> cannotConnect(pools.get(0), e)),
                                CapacityCheck::readLimits, c -> Mono.from(c.close()))
                        .flatMap(limits -> verify(config, pools, limits)))
                .then();
    }

    /** A start-up connection failure naming the pool, the server, the database and the user, with the root cause. */
    public static IllegalStateException cannotConnect(PgPoolConfig pool, Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String cause = root == error ? String.valueOf(error.getMessage()) : error.getMessage() + " (" + root.getMessage() + ")";
        return new IllegalStateException("pool '" + pool.name() + "' cannot connect to " + pool.serverAddress() + " (database "
                + pool.database() + ", user " + pool.user() + "): " + cause, error);
    }

    static Mono<Void> verify(RegistryConfig config, List<PgPoolConfig> pools, ServerLimits limits) {
        int perInstance = pools.stream().mapToInt(PgPoolConfig::maxConnections).sum();
        long demand = (long) perInstance * config.appInstances();
        int allowed = (int) Math.floor(config.safeConnectionShare() * limits.usable());
        if (demand <= allowed) {
            return Mono.empty();
        }
        String server = pools.get(0).serverAddress();
        String sum = pools.stream().map(p -> p.name() + " " + p.maxConnections()).collect(Collectors.joining(" + "));
        int fitPerInstance = Math.max(0, allowed / config.appInstances());
        return Mono.error(new CapacityException("refusing to start: the pools on " + server + " would open up to "
                + config.appInstances() + " instance(s) × (" + sum + ") = " + demand + " connections, but the safe share is "
                + config.safeConnectionShare() + " × (max_connections " + limits.maxConnections()
                + " − superuser_reserved_connections " + limits.superuserReserved() + " − reserved_connections "
                + limits.reserved() + ") = " + allowed + ". Fix: lower the pools' maxConnections to at most "
                + fitPerInstance + " in total per instance, declare fewer appInstances, raise max_connections on the "
                + "server, or put a connection pooler such as PgBouncer in front of it"));
    }
}
