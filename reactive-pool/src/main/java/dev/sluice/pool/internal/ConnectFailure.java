package dev.sluice.pool.internal;

/**
 * A new connection could not be opened within the acquire timeout: every attempt failed with a connection error
 * or ran out of its connect timeout. Carries the last attempt's error as its cause; the pool turns it into a
 * {@link dev.sluice.pool.PoolExhaustedException} for the caller.
 */
public final class ConnectFailure extends RuntimeException {

    private final int attempts;

    ConnectFailure(int attempts, Throwable last) {
        super(attempts + (attempts == 1 ? " attempt" : " attempts") + " to connect failed, the last with: " + last, last);
        this.attempts = attempts;
    }

    /** How many times a connection was tried. */
    public int attempts() {
        return attempts;
    }
}
