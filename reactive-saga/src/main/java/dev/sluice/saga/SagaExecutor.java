package dev.sluice.saga;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.pool.config.ConfigException;
import dev.sluice.pool.config.Problems;
import dev.sluice.pool.config.Setting;
import dev.sluice.saga.internal.Json;
import dev.sluice.saga.internal.KvEffect;
import dev.sluice.saga.internal.LeaseKeeper;
import dev.sluice.saga.internal.SagaRecord;
import dev.sluice.saga.internal.SagaState;
import dev.sluice.saga.internal.StepRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Runs sagas on this instance: logs each in the {@link SagaLog}, holds its lease while it runs, and drives it to a
 * terminal state. One executor per application instance; every instance sharing a log must register the same
 * definitions, because any of them may recover a saga another started ({@link #recovery()}).
 *
 * <p>A started saga is never abandoned by its caller: {@link #run} subscribes the saga's execution independently of
 * the caller's subscription, so cancelling only stops the caller from waiting. When the instance dies, the lease
 * stops being renewed, and another instance's recovery claims the saga and finishes or compensates it from the log.
 */
public final class SagaExecutor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SagaExecutor.class);

    /** Letters, digits, {@code _ . : -}, 1 to 100 characters. */
    public static final Pattern OWNER_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,100}");

    private final SagaLog log;
    private final String ownerId;
    private final Duration leaseDuration;
    private final Map<String, SagaDefinition> definitions = new ConcurrentHashMap<>();
    private final Set<UUID> running = ConcurrentHashMap.newKeySet();
    private final Sinks.Many<SagaEvent> events = Sinks.many().multicast().directBestEffort();
    private final LeaseKeeper leases;
    private final ManualInterventionQueue queue;
    private final SagaRecovery recovery;
    private final OutboxRelay outbox;
    private volatile boolean closed;

    private SagaExecutor(Builder builder) {
        this.log = builder.log;
        this.ownerId = builder.ownerId;
        this.leaseDuration = builder.leaseDuration;
        this.outbox = new OutboxRelay(log.writer(), ownerId, builder.recoveryBatch, builder.outboxInterval);
        builder.definitions.forEach(this::register);
        this.leases = new LeaseKeeper(log.writer(), ownerId, leaseDuration, running);
        this.queue = new ManualInterventionQueue(this);
        this.recovery = new SagaRecovery(this, builder.recoveryBatch, builder.recoveryInterval);
    }

    /** Starts an executor on {@code log}. */
    public static Builder builder(SagaLog log) {
        return new Builder(Objects.requireNonNull(log, "log"));
    }

    /**
     * Registers a definition so that sagas of its name and version can be run and recovered here.
     *
     * @throws SagaDefinitionException when another definition with the same name and version is registered
     */
    public SagaExecutor register(SagaDefinition definition) {
        SagaDefinition previous = definitions.putIfAbsent(key(definition.name(), definition.version()), definition);
        if (previous != null && previous != definition) {
            throw new SagaDefinitionException("saga '" + definition.name() + "' version " + definition.version()
                    + " is already registered with other steps; give the changed definition a new version");
        }
        if (definition.coordination() == Coordination.EVENTUAL) {
            definition.steps().stream().map(SagaStep::effect).filter(KvEffect.class::isInstance)
                    .forEach(effect -> outbox.deliverTo(((KvEffect) effect).store()));
        }
        return this;
    }

    private static String key(String name, int version) {
        return name + "@" + version;
    }

    Optional<SagaDefinition> definition(String name, int version) {
        return Optional.ofNullable(definitions.get(key(name, version)));
    }

    /** {@link #run(SagaDefinition, Object, String)} with a generated correlation id (the saga id). */
    public Mono<SagaResult> run(SagaDefinition definition, Object input) {
        return run(definition, input, null);
    }

    /**
     * Runs a saga of {@code definition} (registering it when needed) with {@code input} (converted to JSON by
     * Jackson and logged).
     *
     * <p>Cold: each subscription starts a new saga. The saga is logged ({@code RUNNING}, owned by this instance, with
     * a lease) with its first log write, which commits before its first effect; the Mono emits its
     * {@link SagaResult} once it is terminal:
     * {@link SagaOutcome#COMPLETED}, {@link SagaOutcome#ROLLED_BACK} or {@link SagaOutcome#COMPENSATION_FAILED} (the
     * last also queued for manual intervention). Step failures are outcomes, not errors.
     *
     * <p>Errors: the log's errors when the saga cannot be logged (nothing ran then); {@link SagaLeaseLostException}
     * when another instance took the saga over (it finishes it); a log error while the saga runs (the lease then
     * expires and recovery finishes the saga); {@link IllegalStateException} after {@link #close()}.
     *
     * <p>Cancellation only stops waiting: a saga that was started runs on to a terminal state.
     *
     * @param correlationId your id for the saga (such as a request id), or null for the saga id
     */
    public Mono<SagaResult> run(SagaDefinition definition, Object input, String correlationId) {
        Objects.requireNonNull(definition, "definition");
        return Mono.defer(() -> {
            if (closed) {
                return Mono.error(new IllegalStateException("saga executor '" + ownerId + "' is closed"));
            }
            register(definition);
            UUID sagaId = UUID.randomUUID();
            String correlation = correlationId == null ? sagaId.toString() : correlationId;
            JsonNode json = Json.tree(input);
            SagaContext context = new SagaContext(sagaId, definition.name(), correlation, json, Json.MAPPER);
            Mono<SagaResult> execution = log.writer().sagas()
                    .insert(sagaId, definition.name(), definition.version(), correlation, json, ownerId, leaseDuration)
                    .then(Mono.fromRunnable(() -> emit(SagaEvent.Type.STARTED, context, null, "")))
                    .then(Mono.defer(() -> new SagaRun(this, definition, context, Map.of()).resume(SagaState.RUNNING, null)));
            return detach(sagaId, context, execution);
        });
    }

    /** Resumes a saga this instance has just claimed from the log. */
    Mono<SagaResult> resume(SagaRecord saga) {
        Optional<SagaDefinition> definition = definition(saga.name(), saga.version());
        if (definition.isEmpty()) {
            return Mono.error(new IllegalStateException("saga " + saga.sagaId() + " is of '" + saga.name() + "' version " + saga.version()
                    + ", which is not registered on instance '" + ownerId + "'; register it with every executor"));
        }
        SagaContext context = new SagaContext(saga.sagaId(), saga.name(), saga.correlationId(), saga.input(), Json.MAPPER);
        Mono<SagaResult> execution = log.writer().steps().all(saga.sagaId()).collectMap(StepRecord::stepId)
                .flatMap(rows -> new SagaRun(this, definition.get(), context, rows).resume(saga.state(), saga.reason()));
        return detach(saga.sagaId(), context, execution);
    }

    private Mono<SagaResult> detach(UUID sagaId, SagaContext context, Mono<SagaResult> execution) {
        Sinks.One<SagaResult> result = Sinks.one();
        running.add(sagaId);
        execution.doFinally(signal -> {
                    running.remove(sagaId);
                    log.writer().deferred().forget(sagaId);
                })
                .subscribe(result::tryEmitValue, error -> {
                    if (error instanceof SagaLeaseLostException) {
                        emit(SagaEvent.Type.LEASE_LOST, context, null, error.getMessage());
                    } else {
                        LOG.warn("saga {} ({}) stopped on an error; its lease will expire and recovery will finish it: {}",
                                sagaId, context.sagaName(), error.toString());
                    }
                    result.tryEmitError(error);
                });
        return result.asMono();
    }

    /**
     * Events of every saga this executor runs or recovers, as they happen. Hot: a subscriber sees only later events;
     * a subscriber that cannot keep up misses events (nothing is buffered for it), and never slows the sagas down.
     */
    public Flux<SagaEvent> events() {
        return events.asFlux();
    }

    synchronized void emit(SagaEvent.Type type, SagaContext context, String stepId, String detail) {
        events.tryEmitNext(new SagaEvent(type, context.sagaId(), context.sagaName(), context.correlationId(), Optional.ofNullable(stepId),
                detail, Instant.now()));
    }

    /** The manual-intervention queue of the log. */
    public ManualInterventionQueue queue() {
        return queue;
    }

    /** Recovery of sagas whose owner's lease expired, run by this executor. */
    public SagaRecovery recovery() {
        return recovery;
    }

    /** The relay of the outbox rows of {@link Coordination#EVENTUAL} sagas to the buckets of the definitions registered here. */
    public OutboxRelay outbox() {
        return outbox;
    }

    /** This instance's owner id, written into the lease of every saga it runs. */
    public String ownerId() {
        return ownerId;
    }

    /** How long a lease lasts without renewal; renewed every third of it while the saga runs here. */
    public Duration leaseDuration() {
        return leaseDuration;
    }

    /** The log. */
    public SagaLog log() {
        return log;
    }

    /** How many sagas run on this executor now. */
    public int running() {
        return running.size();
    }

    /**
     * Stops renewing leases and stops the recovery and outbox loops; new runs are refused. Sagas still running here go on until
     * their next log write after another instance claimed them (which then fails with
     * {@link SagaLeaseLostException}), or to their end.
     */
    @Override
    public void close() {
        closed = true;
        recovery.close();
        outbox.close();
        leases.close();
        events.tryEmitComplete();
    }

    @Override
    public String toString() {
        return "SagaExecutor[" + ownerId + ", lease=" + leaseDuration + ", running=" + running.size() + "]";
    }

    /** This instance's id in leases. */
    public static final Setting<String> OWNER = Setting.text("ownerId", null, value -> OWNER_ID.matcher(value).matches(),
            "must be 1 to 100 letters, digits, '_', '.', ':' or '-'", "[A-Za-z0-9_.:-]{1,100}");
    /** How long a lease lasts without renewal. */
    public static final Setting<Duration> LEASE_DURATION = Setting.duration("leaseDuration", Duration.ofSeconds(15),
            Duration.ofSeconds(1), Duration.ofMinutes(10));
    /** How many expired sagas (or outbox rows) one pass claims at most. */
    public static final Setting<Integer> RECOVERY_BATCH = Setting.integer("recoveryBatch", 64, 1, 10_000);
    /** Time between two recovery passes. */
    public static final Setting<Duration> RECOVERY_INTERVAL = Setting.duration("recoveryInterval", Duration.ofSeconds(5),
            Duration.ofMillis(10), Duration.ofHours(1));
    /** Time between two outbox relay passes. */
    public static final Setting<Duration> OUTBOX_INTERVAL = Setting.duration("outboxInterval", Duration.ofSeconds(1),
            Duration.ofMillis(10), Duration.ofHours(1));

    /** Settings of an executor, checked together by {@link #build()}; not thread-safe. */
    public static final class Builder {
        private final SagaLog log;
        private String ownerId = defaultOwnerId();
        private Duration leaseDuration = LEASE_DURATION.defaultValue();
        private int recoveryBatch = RECOVERY_BATCH.defaultValue();
        private Duration recoveryInterval = RECOVERY_INTERVAL.defaultValue();
        private Duration outboxInterval = OUTBOX_INTERVAL.defaultValue();
        private final java.util.List<SagaDefinition> definitions = new java.util.ArrayList<>();

        private Builder(SagaLog log) {
            this.log = log;
        }

        private static String defaultOwnerId() {
            String jvm = ManagementFactory.getRuntimeMXBean().getName().replaceAll("[^A-Za-z0-9_.:-]", "_");
            return (jvm + ":" + UUID.randomUUID().toString().substring(0, 8));
        }

        /**
         * This instance's id in leases (default: the JVM's {@code pid@host} and a random suffix). Must differ between
         * live instances.
         */
        public Builder ownerId(String ownerId) {
            this.ownerId = ownerId;
            return this;
        }

        /**
         * How long a lease lasts without renewal (default 15 s, 1 s to 10 min): the longest a crashed instance's sagas
         * wait before recovery can claim them. Leases are renewed every third of it.
         */
        public Builder leaseDuration(Duration leaseDuration) {
            this.leaseDuration = leaseDuration;
            return this;
        }

        /** How many expired sagas one recovery pass claims at most (default 64, 1 to 10,000). */
        public Builder recoveryBatch(int sagas) {
            this.recoveryBatch = sagas;
            return this;
        }

        /** Time between two passes of {@link SagaExecutor#recovery()} once started (default 5 s, 10 ms to 1 h). */
        public Builder recoveryInterval(Duration interval) {
            this.recoveryInterval = interval;
            return this;
        }

        /** Time between two passes of {@link SagaExecutor#outbox()} once started (default 1 s, 10 ms to 1 h). */
        public Builder outboxInterval(Duration interval) {
            this.outboxInterval = interval;
            return this;
        }

        /** Registers definitions (see {@link SagaExecutor#register}). */
        public Builder register(SagaDefinition... definitions) {
            this.definitions.addAll(java.util.List.of(definitions));
            return this;
        }

        /**
         * The executor; it starts renewing leases at once.
         *
         * @throws ConfigException listing every setting out of its range, each with its value and the fix
         */
        public SagaExecutor build() {
            Problems problems = new Problems("saga executor");
            if (ownerId == null) {
                problems.add(OWNER, null, "is required");
            } else {
                problems.check(OWNER, ownerId);
            }
            checkPresent(problems, LEASE_DURATION, leaseDuration);
            problems.check(RECOVERY_BATCH, recoveryBatch);
            checkPresent(problems, RECOVERY_INTERVAL, recoveryInterval);
            checkPresent(problems, OUTBOX_INTERVAL, outboxInterval);
            problems.throwIfAny();
            return new SagaExecutor(this);
        }

        private static void checkPresent(Problems problems, Setting<Duration> setting, Duration value) {
            if (value == null) {
                problems.add(setting, null, "is required");
            } else {
                problems.check(setting, value);
            }
        }
    }
}
