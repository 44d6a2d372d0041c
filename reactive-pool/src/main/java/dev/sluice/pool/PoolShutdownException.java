package dev.sluice.pool;

import io.r2dbc.spi.R2dbcNonTransientResourceException;

/**
 * The pool is shutting down or closed: new work is refused at once, and work still running when the grace
 * period ends is cancelled with this error.
 */
public final class PoolShutdownException extends R2dbcNonTransientResourceException {

    public PoolShutdownException(String message, Throwable cause) {
        super(message, cause);
    }
}
