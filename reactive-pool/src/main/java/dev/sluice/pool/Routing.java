package dev.sluice.pool;

import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Chooses the pool for a read or a write. Writes go to the primary. Reads go round-robin over the replicas
 * believed healthy, then to the primary when none is, and fail at once with {@link NoHealthyPoolException}
 * (listing each pool's state) when nothing is healthy.
 *
 * <p>Health comes from a {@code SELECT 1} through the pool, limited to the health timeout, and is trusted for
 * the health period. Work routed to a pool that fails with a connection-class error marks that pool
 * unhealthy at once, so after the first failure no further read goes there until a check finds it well.
 */
final class Routing {

    private record Health(boolean healthy, Instant checkedAt, String detail) {
    }

    private final PgPool primary;
    private final List<PgPool> replicas;
    private final Duration period;
    private final Duration timeout;
    private final Map<String, Health> health = new ConcurrentHashMap<>();
    private final Map<String, Mono<Health>> checking = new ConcurrentHashMap<>();
    private final AtomicInteger next = new AtomicInteger();

    Routing(PgPool primary, List<PgPool> replicas, Duration period, Duration timeout) {
        this.primary = primary;
        this.replicas = List.copyOf(replicas);
        this.period = period;
        this.timeout = timeout;
    }

    PgPool writes() {
        if (primary == null) {
            throw new IllegalStateException("no pool has role PRIMARY, so there is nowhere to send writes; add one to the RegistryConfig");
        }
        return primary;
    }

    Mono<PgPool> reads() {
        return Mono.defer(() -> {
            List<PgPool> order = new ArrayList<>(replicas.size());
            int start = Math.floorMod(next.getAndIncrement(), Math.max(1, replicas.size()));
            for (int i = 0; i < replicas.size(); i++) {
                order.add(replicas.get((start + i) % replicas.size()));
            }
            if (primary != null) {
                order.add(primary);
            }
            if (order.isEmpty()) {
                return Mono.error(new NoHealthyPoolException("no PRIMARY or REPLICA pool is configured to read from"));
            }
            return Flux.fromIterable(order)
                    .concatMap(pool -> healthOf(pool).filter(Health::healthy).map(h -> pool), 1)
                    .next()
                    .switchIfEmpty(Mono.defer(() -> Mono.error(new NoHealthyPoolException(describe(order)))));
        });
    }

    <T> Flux<T> read(Function<? super PgPool, ? extends Publisher<T>> work) {
        return reads().flatMapMany(pool -> Flux.from(work.apply(pool)).doOnError(error -> markIfUnreachable(pool, error)));
    }

    <T> Flux<T> write(Function<? super PgPool, ? extends Publisher<T>> work) {
        return Flux.defer(() -> {
            PgPool pool = writes();
            return Flux.from(work.apply(pool)).doOnError(error -> markIfUnreachable(pool, error));
        });
    }

    /** The cached health of a pool, checking it when the cached result is older than the period. */
    private Mono<Health> healthOf(PgPool pool) {
        Health cached = health.get(pool.name());
        if (cached != null && cached.checkedAt().plus(period).isAfter(Instant.now())) {
            return Mono.just(cached);
        }
        return checking.computeIfAbsent(pool.name(), name -> check(pool)
                .doOnNext(result -> health.put(name, result))
                .doFinally(signal -> checking.remove(name))
                .cache());
    }

    private Mono<Health> check(PgPool pool) {
        return pool.queryOne("SELECT 1", row -> 1)
                .timeout(timeout)
                .map(ok -> new Health(true, Instant.now(), "healthy"))
                .onErrorResume(error -> Mono.just(new Health(false, Instant.now(), "unhealthy: " + error.getMessage())));
    }

    private void markIfUnreachable(PgPool pool, Throwable error) {
        ErrorClass kind = SqlErrorClassifier.classify(error);
        if (kind == ErrorClass.CONNECTION || error instanceof CircuitOpenException) {
            health.put(pool.name(), new Health(false, Instant.now(), "unhealthy: " + error.getMessage()));
        }
    }

    private String describe(List<PgPool> pools) {
        return "no healthy pool to read from: " + pools.stream()
                .map(pool -> pool.name() + " (" + pool.role() + ") " + java.util.Optional.ofNullable(health.get(pool.name()))
                        .map(Health::detail).orElse("not checked") + ", breaker " + pool.breakerState())
                .collect(Collectors.joining("; "));
    }
}
