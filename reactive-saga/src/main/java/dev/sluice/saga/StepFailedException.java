package dev.sluice.saga;

/** A step's action failed after its retries (or timed out); its cause is the last attempt's error. */
public final class StepFailedException extends RuntimeException {

    private final String stepId;

    /**
     * @param stepId the step
     * @param cause  the last attempt's error
     */
    public StepFailedException(String stepId, Throwable cause) {
        super("step '" + stepId + "' failed: " + describe(cause), cause);
        this.stepId = stepId;
    }

    /** The failed step's id. */
    public String stepId() {
        return stepId;
    }

    static String describe(Throwable error) {
        String message = error.getMessage();
        return error.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
