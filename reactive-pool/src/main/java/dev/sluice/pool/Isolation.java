package dev.sluice.pool;

import io.r2dbc.spi.IsolationLevel;

/** Transaction isolation levels, as PostgreSQL names them. */
public enum Isolation {
    /** PostgreSQL runs it as read committed. */
    READ_UNCOMMITTED(IsolationLevel.READ_UNCOMMITTED),
    /** Each statement sees data committed before it began (PostgreSQL's default). */
    READ_COMMITTED(IsolationLevel.READ_COMMITTED),
    /** The whole transaction sees one snapshot; concurrent updates of the same rows fail with 40001. */
    REPEATABLE_READ(IsolationLevel.REPEATABLE_READ),
    /** As if transactions ran one after another; conflicts fail with 40001 and should be retried. */
    SERIALIZABLE(IsolationLevel.SERIALIZABLE);

    private final IsolationLevel r2dbc;

    Isolation(IsolationLevel r2dbc) {
        this.r2dbc = r2dbc;
    }

    /** The R2DBC level. */
    public IsolationLevel r2dbc() {
        return r2dbc;
    }
}
