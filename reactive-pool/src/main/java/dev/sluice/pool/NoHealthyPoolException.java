package dev.sluice.pool;

import io.r2dbc.spi.R2dbcNonTransientResourceException;

/** No pool could take the work: every candidate was unhealthy. The message lists each pool's state. */
public final class NoHealthyPoolException extends R2dbcNonTransientResourceException {

    public NoHealthyPoolException(String message) {
        super(message);
    }
}
