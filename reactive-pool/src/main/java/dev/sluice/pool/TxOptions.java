package dev.sluice.pool;

import dev.sluice.pool.config.ConfigException;
import dev.sluice.pool.config.ConfigProblem;
import dev.sluice.pool.config.Setting;

import java.util.List;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How a transaction runs: immutable, made by {@link #builder()}; {@link #DEFAULT} changes nothing but
 * wrapping the work in {@code BEGIN}/{@code COMMIT}.
 *
 * <ul>
 *   <li><b>isolation</b>: given, or chosen from the {@link WorkKind}; PostgreSQL's read committed when
 *       neither is given.</li>
 *   <li><b>boundary</b>: when given, sets {@code statement_timeout}, {@code idle_in_transaction_session_timeout}
 *       and {@code synchronous_commit} with {@code SET LOCAL} semantics (see {@link TxBoundary}).</li>
 *   <li><b>timeout</b>: the transaction's {@code statement_timeout}, clamped to 1 s .. 1 h; overrides the
 *       boundary's.</li>
 *   <li><b>agentId</b>: letters, digits and {@code -}; shows in {@code application_name} as
 *       {@code <pool application name>/<agent id>} for the transaction.</li>
 *   <li><b>readOnly</b>: {@code READ ONLY} transaction (implied by {@link WorkKind#READ_ONLY}).</li>
 *   <li><b>commitCheck</b>: may veto the commit.</li>
 *   <li><b>retry</b>: re-runs the whole transaction on transient failures ({@link RetryPolicy}); the pool's
 *       policy when not given.</li>
 * </ul>
 */
public final class TxOptions {

    /** Agent ids: letters, digits and dashes, 1 to 40 characters. */
    public static final Pattern AGENT_ID = Pattern.compile("^[A-Za-z0-9-]{1,40}$");
    /** The range a transaction timeout is clamped to. */
    public static final Duration MIN_TIMEOUT = Duration.ofSeconds(1);
    public static final Duration MAX_TIMEOUT = Duration.ofHours(1);
    /** The agent running a transaction; checked when set, because it reaches the server as the application name. */
    public static final Setting<String> AGENT = Setting.text("agentId", null, v -> AGENT_ID.matcher(v).matches(),
            "must match ^[A-Za-z0-9-]{1,40}$ (letters, digits and dashes)", "1 to 40 letters, digits and dashes");
    /** The statement timeout of a transaction, clamped to {@link #MIN_TIMEOUT} .. {@link #MAX_TIMEOUT}. */
    public static final Setting<Duration> TIMEOUT = Setting.duration("timeout", null, MIN_TIMEOUT, MAX_TIMEOUT).optional();

    /** Read committed, no SET LOCAL values, no check, the pool's retry policy. */
    public static final TxOptions DEFAULT = builder().build();

    private final Isolation isolation;
    private final WorkKind workKind;
    private final TxBoundary boundary;
    private final Duration timeout;
    private final String agentId;
    private final boolean readOnly;
    private final CommitCheck commitCheck;
    private final RetryPolicy retry;

    private TxOptions(Builder b) {
        this.isolation = b.isolation;
        this.workKind = b.workKind;
        this.boundary = b.boundary;
        this.timeout = b.timeout;
        this.agentId = b.agentId;
        this.readOnly = b.readOnly || b.workKind == WorkKind.READ_ONLY;
        this.commitCheck = b.commitCheck;
        this.retry = b.retry;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The isolation level the transaction runs at. */
    public Isolation isolation() {
        if (isolation != null) {
            return isolation;
        }
        return workKind != null ? workKind.isolation() : Isolation.READ_COMMITTED;
    }

    /** The declared boundary, if any. */
    public Optional<TxBoundary> boundary() {
        return Optional.ofNullable(boundary);
    }

    /** The statement timeout inside the transaction: the clamped timeout, else the boundary's, else none. */
    public Optional<Duration> statementTimeout() {
        if (timeout != null) {
            return Optional.of(timeout);
        }
        return boundary().map(TxBoundary::statementTimeout);
    }

    /** The agent id, if any. */
    public Optional<String> agentId() {
        return Optional.ofNullable(agentId);
    }

    /** Whether the transaction is read-only. */
    public boolean readOnly() {
        return readOnly;
    }

    /** The commit check, if any. */
    public Optional<CommitCheck> commitCheck() {
        return Optional.ofNullable(commitCheck);
    }

    /** The retry policy, if given; otherwise the pool's ({@link PgPoolConfig#retry()}) applies. */
    public Optional<RetryPolicy> retry() {
        return Optional.ofNullable(retry);
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.isolation = isolation;
        b.workKind = workKind;
        b.boundary = boundary;
        b.timeout = timeout;
        b.agentId = agentId;
        b.readOnly = readOnly;
        b.commitCheck = commitCheck;
        b.retry = retry;
        return b;
    }

    @Override
    public String toString() {
        return "TxOptions[" + isolation() + (readOnly ? " read-only" : "") + (boundary != null ? " " + boundary : "")
                + (timeout != null ? " timeout=" + timeout : "") + (agentId != null ? " agent=" + agentId : "")
                + (commitCheck != null ? " with commit check" : "") + (retry != null ? " retry=" + retry.maxAttempts() : "") + "]";
    }

    /**
     * Builds {@link TxOptions}. Unlike the other builders, each setter refuses its value at once with a
     * {@link ConfigException} (a setter's value never depends on another's, and callers such as
     * {@code PgPool.session} validate an agent id by setting it).
     */
    public static final class Builder {
        private Isolation isolation;
        private WorkKind workKind;
        private TxBoundary boundary;
        private Duration timeout;
        private String agentId;
        private boolean readOnly;
        private CommitCheck commitCheck;
        private RetryPolicy retry;

        private Builder() {
        }

        /** Runs at this isolation level, whatever the work kind. */
        public Builder isolation(Isolation isolation) {
            this.isolation = isolation;
            return this;
        }

        /** Declares what the transaction does; the isolation follows from it unless given. */
        public Builder work(WorkKind workKind) {
            this.workKind = workKind;
            return this;
        }

        /** Declares the scope, which sets the transaction's SET LOCAL values. */
        public Builder boundary(TxBoundary boundary) {
            this.boundary = boundary;
            return this;
        }

        /** The transaction's statement timeout, clamped to 1 s .. 1 h. */
        public Builder timeout(Duration timeout) {
            if (timeout == null) {
                throw new ConfigException(List.of(ConfigProblem.of("transaction", TIMEOUT.name(), null,
                        "must be a duration (it is clamped to 1 s .. 1 h)")));
            }
            this.timeout = timeout.compareTo(MIN_TIMEOUT) < 0 ? MIN_TIMEOUT : timeout.compareTo(MAX_TIMEOUT) > 0 ? MAX_TIMEOUT : timeout;
            return this;
        }

        /**
         * The agent running the transaction.
         *
         * @throws ConfigException when it is not 1 to 40 letters, digits or dashes (nothing else reaches the server)
         */
        public Builder agentId(String agentId) {
            String problem = AGENT.problem(agentId);
            if (problem != null) {
                throw new ConfigException(List.of(ConfigProblem.of("transaction", AGENT.name(), agentId, problem)));
            }
            this.agentId = agentId;
            return this;
        }

        /** Makes the transaction read-only. */
        public Builder readOnly(boolean readOnly) {
            this.readOnly = readOnly;
            return this;
        }

        /** A check that may veto the commit. */
        public Builder commitCheck(CommitCheck commitCheck) {
            this.commitCheck = commitCheck;
            return this;
        }

        /** Re-runs the whole transaction on transient failures; {@code null} means the pool's policy. */
        public Builder retry(RetryPolicy retry) {
            this.retry = retry;
            return this;
        }

        /** The options. */
        public TxOptions build() {
            return new TxOptions(this);
        }
    }
}
