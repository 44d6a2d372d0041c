package dev.sluice.saga.internal;

import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The saga log's deferred writes (internal): records that need not be durable before the saga's next effect (a new
 * saga's insert, a step's result) wait, per saga, and go with the saga's next log write, in the same group commit.
 * Every other write about a saga, and every read of its steps, writes its deferred records first ({@link #flush}).
 */
public final class DeferredWrites {

    private final GroupCommit group;
    private final Map<UUID, List<LogWrite>> bySaga = new ConcurrentHashMap<>();

    /** @param group the group commit the records go through */
    public DeferredWrites(GroupCommit group) {
        this.group = group;
    }

    /** Keeps {@code write} for the saga's next log write. */
    Mono<Void> defer(LogWrite write) {
        return Mono.fromRunnable(() -> bySaga.merge(write.sagaId(), List.of(write), DeferredWrites::concat));
    }

    /** Commits {@code write} in a group commit, preceded by the saga's deferred records (in the same statement). */
    Mono<Void> submitWith(LogWrite write) {
        return Mono.defer(() -> {
            List<LogWrite> before = bySaga.remove(write.sagaId());
            return group.submit(before == null ? write : LogWrite.Several.of(concat(before, List.of(write))));
        });
    }

    /** Writes the saga's deferred records now (a group commit), if it has any. */
    public Mono<Void> flush(UUID sagaId) {
        return Mono.defer(() -> {
            List<LogWrite> before = bySaga.remove(sagaId);
            return before == null ? Mono.empty() : group.submit(LogWrite.Several.of(before));
        });
    }

    /**
     * Before the transaction of a SQL step: writes the saga's deferred records now unless the step's record
     * ({@link StepTable#recordedIn}) can carry them, which it can when they are one step's result.
     */
    public Mono<Void> flushUnlessCarried(UUID sagaId) {
        return Mono.defer(() -> {
            List<LogWrite> before = bySaga.get(sagaId);
            return before == null || carried(before) != null ? Mono.empty() : flush(sagaId);
        });
    }

    /** The saga's deferred records as they are now (none: empty); they stay deferred. */
    List<LogWrite> pending(UUID sagaId) {
        return bySaga.getOrDefault(sagaId, List.of());
    }

    /** The deferred records a SQL step's record can carry (one step's result), or null when they are not that. */
    static LogWrite.StepCompleted carried(List<LogWrite> deferred) {
        return deferred.size() == 1 && deferred.get(0) instanceof LogWrite.StepCompleted completed ? completed : null;
    }

    /** Drops the saga's deferred records {@code written} in a transaction that committed (see {@link StepTable#recordedIn}). */
    public void committed(UUID sagaId, List<LogWrite> written) {
        if (!written.isEmpty()) {
            bySaga.remove(sagaId, written);
        }
    }

    /** Drops the deferred records of a saga whose run ended (on an error, they are left for recovery to find). */
    public void forget(UUID sagaId) {
        bySaga.remove(sagaId);
    }

    private static List<LogWrite> concat(List<LogWrite> first, List<LogWrite> then) {
        List<LogWrite> all = new ArrayList<>(first);
        all.addAll(then);
        return List.copyOf(all);
    }
}
