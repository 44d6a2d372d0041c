package dev.sluice.health.internal;

import dev.sluice.health.CheckResult;
import dev.sluice.health.Subject;
import dev.sluice.pool.kv.KvBucketStatus;
import dev.sluice.pool.kv.KvStore;
import reactor.core.publisher.Mono;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/** A bucket's status request to the server, within the check's time limit. */
public final class BucketCheck {

    /** A check's result and, when the server answered, the bucket's status. */
    public record Outcome(CheckResult result, Optional<KvBucketStatus> status) {
    }

    private final TimedCheck timed;

    /** A bucket check with this timing. */
    public BucketCheck(TimedCheck timed) {
        this.timed = timed;
    }

    /** Cold; emits the outcome, never fails, ends within the time limit. */
    public Mono<Outcome> run(String logicalName, KvStore store) {
        return Mono.defer(() -> {
            AtomicReference<KvBucketStatus> status = new AtomicReference<>();
            return timed.run(Subject.bucket(logicalName), store.status().doOnNext(status::set))
                    .map(result -> new Outcome(result, result.answered() ? Optional.ofNullable(status.get()) : Optional.empty()));
        });
    }
}
