package dev.sluice.bench.load;

/** A system could not take the load it was given; the message says what happened. */
public final class LoadNotStartedException extends RuntimeException {

    /**
     * @param message what happened, for the report
     * @param cause   the underlying failure
     */
    public LoadNotStartedException(String message, Throwable cause) {
        super(message, cause);
    }
}
