package dev.sluice.saga;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A named, versioned, ordered list of stages; a stage is one step, or a group of steps run in parallel (the group
 * fails as a whole, and its completed members are compensated with the earlier steps). Immutable; built with
 * {@link #builder(String)}.
 *
 * <pre>{@code
 * SagaDefinition transfer = SagaDefinition.builder("transfer").version(1)
 *         .step(SagaStep.kvUpdate("debit", accounts, ctx -> "acct." + ctx.input().get("from").asText(), Transfers::debit))
 *         .parallel(SagaStep.kvUpdate("credit", accounts, ...), SagaStep.sql("ledger", pool).update(...).compensation(...).build())
 *         .consistencyCheck(ctx -> Mono.empty())
 *         .build();
 * }</pre>
 *
 * <p>The name and version are recorded with every saga, so an instance recovering a saga after a crash finds the
 * same definition: register every definition (and every version still running) with the executor of every
 * instance.
 */
public final class SagaDefinition {

    /** Letters, digits, {@code _ . -}, 1 to 64 characters. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private final String name;
    private final int version;
    private final List<List<SagaStep>> stages;
    private final List<SagaStep> steps;
    private final ConsistencyCheck consistencyCheck;
    private final Coordination coordination;

    private SagaDefinition(Builder builder) {
        this.coordination = builder.coordination;
        this.name = builder.name;
        this.version = builder.version;
        this.stages = builder.stages.stream().map(List::copyOf).toList();
        this.steps = stages.stream().flatMap(List::stream).toList();
        this.consistencyCheck = builder.consistencyCheck;
    }

    /**
     * Starts a definition.
     *
     * @throws SagaDefinitionException when the name is not 1 to 64 letters, digits, '_', '.' or '-'
     */
    public static Builder builder(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new SagaDefinitionException("saga name '" + name + "' is not allowed: use 1 to 64 letters, digits, '_', '.' or '-'");
        }
        return new Builder(name);
    }

    /** The name. */
    public String name() {
        return name;
    }

    /** The version (1 unless set). */
    public int version() {
        return version;
    }

    /** The stages in order; each is one step or a parallel group. */
    public List<List<SagaStep>> stages() {
        return stages;
    }

    /** Every step in definition order (a group's members in the order given). */
    public List<SagaStep> steps() {
        return steps;
    }

    /** The check run before the saga is recorded as completed, if any. */
    public Optional<ConsistencyCheck> consistencyCheck() {
        return Optional.ofNullable(consistencyCheck);
    }

    /** How the saga keeps PostgreSQL and KV consistent ({@link Coordination#SAGA} unless set). */
    public Coordination coordination() {
        return coordination;
    }

    /** The step with this id, if any. */
    public Optional<SagaStep> step(String id) {
        return steps.stream().filter(s -> s.id().equals(id)).findFirst();
    }

    @Override
    public String toString() {
        return "SagaDefinition[" + name + " v" + version + ", " + steps.size() + " steps in " + stages.size() + " stages, " + coordination + "]";
    }

    /** Collects the stages of a definition; not thread-safe. */
    public static final class Builder {
        private final String name;
        private int version = 1;
        private final List<List<SagaStep>> stages = new ArrayList<>();
        private ConsistencyCheck consistencyCheck;
        private Coordination coordination = Coordination.SAGA;

        private Builder(String name) {
            this.name = name;
        }

        /** The version, at least 1 (default 1); change it when the steps change while sagas may still be running. */
        public Builder version(int version) {
            if (version < 1) {
                throw new SagaDefinitionException("saga '" + name + "': version must be at least 1, was " + version);
            }
            this.version = version;
            return this;
        }

        /** Appends a step. */
        public Builder step(SagaStep step) {
            stages.add(List.of(Objects.requireNonNull(step, "step")));
            return this;
        }

        /**
         * Appends a group of steps run in parallel.
         *
         * @throws SagaDefinitionException when the group is empty
         */
        public Builder parallel(SagaStep... group) {
            if (group.length == 0) {
                throw new SagaDefinitionException("saga '" + name + "': a parallel group needs at least one step");
            }
            stages.add(List.of(group));
            return this;
        }

        /** The check run after the last step, which may veto the commit. */
        public Builder consistencyCheck(ConsistencyCheck check) {
            this.consistencyCheck = Objects.requireNonNull(check, "check");
            return this;
        }

        /** How the saga keeps PostgreSQL and KV consistent (default {@link Coordination#SAGA}). */
        public Builder coordination(Coordination coordination) {
            this.coordination = Objects.requireNonNull(coordination, "coordination");
            return this;
        }

        /**
         * The definition.
         *
         * @throws SagaDefinitionException when there are no steps, two steps share an id, a step neither has a
         *                                 compensation nor is declared {@code noCompensation()}, or the steps do not
         *                                 suit the coordination (two-phase: at least one SQL step, all on one pool;
         *                                 eventual: only SQL, {@code kvPut} and {@code kvDelete} steps, SQL
         *                                 steps on one pool)
         */
        public SagaDefinition build() {
            if (stages.isEmpty()) {
                throw new SagaDefinitionException("saga '" + name + "' has no steps: add at least one with step(...) or parallel(...)");
            }
            Set<String> ids = new HashSet<>();
            for (List<SagaStep> stage : stages) {
                for (SagaStep step : stage) {
                    if (!ids.add(step.id())) {
                        throw new SagaDefinitionException("saga '" + name + "' has two steps with id '" + step.id()
                                + "': step ids must be unique within a saga (they key the log)");
                    }
                    if (step.compensation() == SagaStep.Compensation.MISSING) {
                        throw new SagaDefinitionException("saga '" + name + "': step '" + step.id() + "' has no compensation; "
                                + "give one (compensateWith(...) or, for SQL, compensation(...)) or declare noCompensation()");
                    }
                }
            }
            CoordinationRules.check(name, coordination, stages.stream().flatMap(List::stream).toList());
            return new SagaDefinition(this);
        }
    }
}
