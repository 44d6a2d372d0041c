package dev.sluice.saga;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.pool.PgPool;
import dev.sluice.pool.RetryPolicy;
import dev.sluice.pool.kv.KvEntry;
import dev.sluice.pool.kv.KvStore;
import dev.sluice.saga.internal.KvEffect;
import dev.sluice.saga.internal.MonoEffect;
import dev.sluice.saga.internal.StepEffect;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * One step of a saga: an id, an action, a compensation, and the timeout and retry policy of each. Immutable: every
 * {@code with}-style method returns a new step.
 *
 * <p>Kinds of steps:
 * <ul>
 *   <li>{@link #of(String, Function)}: any {@code Mono}. Its value is recorded as JSON (through Jackson) and given to
 *       later steps and to its compensation. After a crash between the start and the result records it runs again,
 *       so it must be safe to run twice ({@link SagaContext#idempotencyKey(String)} helps);</li>
 *   <li>{@link #kvPut}, {@link #kvCreate}, {@link #kvUpdate}, {@link #kvDelete}: JetStream KV writes, logged with the
 *       key's previous entry, written with compare-and-set, and compensated by putting back the previous value (or
 *       deleting a created key) with compare-and-set on the recorded revision (in an {@link Coordination#EVENTUAL}
 *       saga, {@code kvPut} and {@code kvDelete} become outbox rows, written later without compare-and-set);</li>
 *   <li>{@link #sql(String, PgPool)}: SQL in one PostgreSQL transaction with its completion record, compensated by
 *       SQL the user gives.</li>
 * </ul>
 *
 * <p>A step must say how it is undone: {@link #compensateWith} or, when there is nothing to undo,
 * {@link #noCompensation()}; {@link SagaDefinition.Builder#build()} refuses a step that says neither.
 */
public final class SagaStep {

    /** Letters, digits, {@code _ . -}, 1 to 64 characters. */
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    /** Timeout of each attempt of an action or a compensation unless set: 30 s. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    enum Compensation { GIVEN, NONE, MISSING }

    private final String id;
    private final StepEffect effect;
    private final Compensation compensation;
    private final Duration timeout;
    private final RetryPolicy retry;
    private final Duration compensationTimeout;
    private final RetryPolicy compensationRetry;

    SagaStep(String id, StepEffect effect, Compensation compensation, Duration timeout, RetryPolicy retry, Duration compensationTimeout,
             RetryPolicy compensationRetry) {
        this.id = id;
        this.effect = effect;
        this.compensation = compensation;
        this.timeout = timeout;
        this.retry = retry;
        this.compensationTimeout = compensationTimeout;
        this.compensationRetry = compensationRetry;
    }

    static SagaStep create(String id, StepEffect effect, Compensation compensation) {
        return new SagaStep(checkId(id), effect, compensation, DEFAULT_TIMEOUT, RetryPolicy.NONE, DEFAULT_TIMEOUT, RetryPolicy.NONE);
    }

    static String checkId(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new SagaDefinitionException("step id '" + id + "' is not allowed: use 1 to 64 letters, digits, '_', '.' or '-'");
        }
        return id;
    }

    /**
     * A step whose action is any {@code Mono}; its value (or JSON null when it completes empty) is the step's
     * result. Give its compensation with {@link #compensateWith} or declare {@link #noCompensation()}.
     *
     * @param action called once per attempt with the saga's context; the returned {@code Mono} is subscribed once
     */
    public static SagaStep of(String id, Function<SagaContext, ? extends Mono<?>> action) {
        Objects.requireNonNull(action, "action");
        return create(id, new MonoEffect(action, null), Compensation.MISSING);
    }

    /**
     * This step with a compensation: given the context and the step's recorded result, it undoes the action. Only
     * for steps made by {@link #of(String, Function)}.
     *
     * @throws SagaDefinitionException for KV and SQL steps (theirs are built in)
     */
    public SagaStep compensateWith(BiFunction<SagaContext, JsonNode, ? extends Mono<?>> compensation) {
        Objects.requireNonNull(compensation, "compensation");
        if (!(effect instanceof MonoEffect mono)) {
            throw new SagaDefinitionException("step '" + id + "' has a built-in compensation; compensateWith is for steps made by SagaStep.of");
        }
        return new SagaStep(id, mono.withCompensation(compensation), Compensation.GIVEN, timeout, retry, compensationTimeout,
                compensationRetry);
    }

    /** This step declared as having nothing to undo (a read, a notification, the last step). */
    public SagaStep noCompensation() {
        if (effect instanceof MonoEffect mono) {
            return new SagaStep(id, mono.withCompensation(null), Compensation.NONE, timeout, retry, compensationTimeout, compensationRetry);
        }
        throw new SagaDefinitionException("step '" + id + "' has a built-in compensation; noCompensation is for steps made by SagaStep.of");
    }

    /**
     * This step with a timeout per attempt of its action (default 30 s): an attempt that takes longer is cancelled
     * and counts as failed.
     */
    public SagaStep timeout(Duration timeout) {
        return new SagaStep(id, effect, compensation, positive(timeout, "timeout"), retry, compensationTimeout, compensationRetry);
    }

    /** This step with a retry policy for its action (default: no retry). */
    public SagaStep retry(RetryPolicy retry) {
        return new SagaStep(id, effect, compensation, timeout, Objects.requireNonNull(retry, "retry"), compensationTimeout, compensationRetry);
    }

    /** This step with a timeout per attempt of its compensation (default 30 s). */
    public SagaStep compensationTimeout(Duration timeout) {
        return new SagaStep(id, effect, compensation, this.timeout, retry, positive(timeout, "compensation timeout"), compensationRetry);
    }

    /** This step with a retry policy for its compensation (default: no retry). */
    public SagaStep compensationRetry(RetryPolicy retry) {
        return new SagaStep(id, effect, compensation, timeout, this.retry, compensationTimeout, Objects.requireNonNull(retry, "retry"));
    }

    /**
     * Writes {@code value} to {@code key} whatever it holds (compare-and-set against the value read just before, so a
     * concurrent write makes the attempt fail rather than be lost). Compensation: puts back the previous value, or
     * deletes the key when it was absent. Its result is {@code {key, revision, existed, previousRevision,
     * previousValue}} (the previous value in base64).
     */
    public static SagaStep kvPut(String id, KvStore store, Function<SagaContext, String> key, Function<SagaContext, byte[]> value) {
        return kv(id, KvEffect.Kind.PUT, store, key, (ctx, current) -> value.apply(ctx));
    }

    /**
     * Creates {@code key} with {@code value}; the step fails with {@code KeyExistsException} when the key holds a
     * value. Compensation: deletes the key (compare-and-set on the created revision). Result as {@link #kvPut}.
     */
    public static SagaStep kvCreate(String id, KvStore store, Function<SagaContext, String> key, Function<SagaContext, byte[]> value) {
        return kv(id, KvEffect.Kind.CREATE, store, key, (ctx, current) -> value.apply(ctx));
    }

    /**
     * Reads {@code key} and writes the value {@code update} computes from its current entry, with compare-and-set on
     * the read revision; fails when the key is absent. Compensation: puts back the value read. Result as
     * {@link #kvPut}.
     */
    public static SagaStep kvUpdate(String id, KvStore store, Function<SagaContext, String> key,
                                    BiFunction<SagaContext, KvEntry, byte[]> update) {
        Objects.requireNonNull(update, "update");
        return kv(id, KvEffect.Kind.UPDATE, store, key, (ctx, current) -> update.apply(ctx, current.orElseThrow()));
    }

    /**
     * Deletes {@code key} (compare-and-set on the revision read just before; nothing happens when it is absent).
     * Compensation: puts the deleted value back. Result as {@link #kvPut} ({@code revision} 0 when nothing was
     * deleted).
     */
    public static SagaStep kvDelete(String id, KvStore store, Function<SagaContext, String> key) {
        return kv(id, KvEffect.Kind.DELETE, store, key, null);
    }

    private static SagaStep kv(String id, KvEffect.Kind kind, KvStore store, Function<SagaContext, String> key,
                               BiFunction<SagaContext, java.util.Optional<KvEntry>, byte[]> value) {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(key, "key");
        if (kind != KvEffect.Kind.DELETE) {
            Objects.requireNonNull(value, "value");
        }
        return create(id, new KvEffect(kind, store, (ctx, none) -> key.apply(ctx), value), Compensation.GIVEN);
    }

    /** Starts a SQL step on {@code pool}, whose database must hold the saga log. */
    public static SqlStep sql(String id, PgPool pool) {
        return new SqlStep(checkId(id), Objects.requireNonNull(pool, "pool"));
    }

    private static Duration positive(Duration value, String what) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new SagaDefinitionException("step " + what + " must be positive, was " + value);
        }
        return value;
    }

    /** The step's id, unique within its saga. */
    public String id() {
        return id;
    }

    /** Timeout of each attempt of the action. */
    public Duration timeout() {
        return timeout;
    }

    /** Retry policy of the action. */
    public RetryPolicy retry() {
        return retry;
    }

    /** Timeout of each attempt of the compensation. */
    public Duration compensationTimeout() {
        return compensationTimeout;
    }

    /** Retry policy of the compensation. */
    public RetryPolicy compensationRetry() {
        return compensationRetry;
    }

    /** Whether the step has a compensation to run. */
    public boolean compensable() {
        return effect.compensable();
    }

    StepEffect effect() {
        return effect;
    }

    Compensation compensation() {
        return compensation;
    }

    @Override
    public String toString() {
        return "SagaStep[" + id + ", timeout=" + timeout + ", retry=" + retry.maxAttempts() + " attempts]";
    }
}
