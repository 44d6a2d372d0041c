package dev.sluice.pool;

/** An {@link AgentSession} refused work because one of its limits was reached. */
public final class SessionLimitException extends RuntimeException {

    private final String agent;
    private final String limit;
    private final long allowed;
    private final long attempted;

    public SessionLimitException(String agent, String limit, long allowed, long attempted) {
        super("agent '" + agent + "' exceeded its session limit " + limit + " = " + allowed + " (this would make " + attempted
                + "); raise the limit in SessionLimits or spread the work over more sessions");
        this.agent = agent;
        this.limit = limit;
        this.allowed = allowed;
        this.attempted = attempted;
    }

    /** The agent whose session refused the work. */
    public String agent() {
        return agent;
    }

    /** The limit's name. */
    public String limit() {
        return limit;
    }

    /** The limit's value. */
    public long allowed() {
        return allowed;
    }

    /** The value the refused work would have reached. */
    public long attempted() {
        return attempted;
    }
}
