package dev.sluice.saga.internal;

import java.util.UUID;

/**
 * A write of the saga log that may share a statement with other sagas' writes (internal): see {@link GroupCommit}.
 * Each names the saga it belongs to, the owner that must hold the saga's lease (except a new saga's insert), and the
 * log row it writes ({@link #row()}).
 */
public sealed interface LogWrite {

    /** The saga. */
    UUID sagaId();

    /** The owner id that writes. */
    String owner();

    /** The single writes this one stands for: itself, or a {@link Several}'s parts. */
    default java.util.List<LogWrite> parts() {
        return java.util.List.of(this);
    }

    /** The kind of write, as the group statement reports it applied: I, S, C or F. */
    String tag();

    /** The log row written: the saga's id, and the step's id for step rows. */
    default String row() {
        return sagaId() + "/";
    }

    /**
     * A new saga, {@code RUNNING}, owned by {@code owner} with a lease of {@code leaseMillis}.
     *
     * @param input the input as JSON text
     */
    record SagaInserted(UUID sagaId, String name, int version, String correlationId, String input, String owner,
                        long leaseMillis) implements LogWrite {
        @Override
        public String tag() {
            return "I";
        }
    }

    /**
     * A step started, before its effect.
     *
     * @param preImage what the step recorded first, as JSON text, or null
     */
    record StepStarted(UUID sagaId, String owner, String stepId, int position, String preImage) implements LogWrite {
        @Override
        public String tag() {
            return "S";
        }

        @Override
        public String row() {
            return sagaId + "/" + stepId;
        }
    }

    /**
     * A step's result, after its effect.
     *
     * @param result the result as JSON text, or null
     */
    record StepCompleted(UUID sagaId, String owner, String stepId, String result) implements LogWrite {
        @Override
        public String tag() {
            return "C";
        }

        @Override
        public String row() {
            return sagaId + "/" + stepId;
        }
    }

    /** The saga completed: its terminal state. */
    record SagaCompleted(UUID sagaId, String owner) implements LogWrite {
        @Override
        public String tag() {
            return "F";
        }
    }

    /**
     * Several writes of one saga that commit together, in order: its deferred records and the write that carries
     * them. Refused as a whole when any part is.
     */
    record Several(UUID sagaId, String owner, java.util.List<LogWrite> parts) implements LogWrite {

        /** The writes, all of one saga. */
        static Several of(java.util.List<LogWrite> parts) {
            LogWrite last = parts.get(parts.size() - 1);
            return new Several(last.sagaId(), last.owner(), parts);
        }

        @Override
        public String tag() {
            return "*";
        }
    }
}
