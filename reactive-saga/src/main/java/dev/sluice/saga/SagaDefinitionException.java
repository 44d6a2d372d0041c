package dev.sluice.saga;

/** A saga definition or step that cannot be built, with a message naming the saga, the step and the fix. */
public final class SagaDefinitionException extends IllegalArgumentException {

    /** @param message what is wrong and how to fix it */
    public SagaDefinitionException(String message) {
        super(message);
    }
}
