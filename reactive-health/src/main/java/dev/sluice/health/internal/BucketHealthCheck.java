package dev.sluice.health.internal;

import dev.sluice.health.HealthConfig;
import dev.sluice.health.Subject;
import dev.sluice.pool.check.CheckResult;
import dev.sluice.pool.check.HealthCheck;
import dev.sluice.pool.check.Reading;
import dev.sluice.pool.kv.KvStore;
import dev.sluice.pool.kv.KvStoreStats;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The built-in check of a JetStream KV bucket: the bucket's status request to the server, within the check's time
 * limit, with the store's error rate and the bucket's size (when the server answered) as readings.
 */
public final class BucketHealthCheck implements HealthCheck, SelfTimed {

    private final String name;
    private final KvStore store;
    private final HealthConfig config;
    private final RateWindow<KvStoreStats> window;

    /** The check of the bucket with logical name {@code name}. */
    public BucketHealthCheck(String name, KvStore store, HealthConfig config) {
        this.name = name;
        this.store = store;
        this.config = config;
        this.window = new RateWindow<>(config.rateWindow());
    }

    @Override
    public String kind() {
        return Subject.KV;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Map<String, String> tags() {
        return Map.of("bucket", name);
    }

    @Override
    public Optional<Duration> timeLimit() {
        return Optional.of(config.bucketCheckTimeout());
    }

    @Override
    public Optional<Duration> degradedAfter() {
        return Optional.of(config.bucketDegradedAfter());
    }

    @Override
    public Mono<CheckResult> check() {
        return Mono.defer(() -> {
            KvStoreStats s = store.stats();
            KvStoreStats base = window.baselineThenAdd(Instant.ofEpochMilli(config.scheduler().now(TimeUnit.MILLISECONDS)), s);
            long operations = Math.max(0, s.totalOperations() - base.totalOperations());
            long errors = Math.max(0, s.totalErrors() - base.totalErrors());
            CheckResult.Builder result = CheckResult.healthy()
                    .reading("kv.watches", Reading.count(s.watches()))
                    .reading("kv.error.rate", Reading.counted(operations == 0 ? 0 : Math.min(1.0, (double) errors / operations),
                            Reading.Unit.RATIO, operations))
                    .detail("bucket", store.bucket());
            return SelfTimed.probe(store.status().doOnNext(status -> result
                            .reading("kv.bucket.entries", Reading.count(status.entries()))
                            .reading("kv.bucket.bytes", Reading.bytes(status.bytes()))),
                    config.bucketCheckTimeout(), config.scheduler(), result);
        });
    }

    @Override
    public String toString() {
        return "BucketHealthCheck[" + name + "]";
    }
}
