package dev.sluice.pool;

/**
 * The registry refused to start: its pools, times the declared application instances, would take more
 * connections than the safe share of what a server allows. The message shows the arithmetic and the fixes.
 */
public final class CapacityException extends IllegalStateException {

    public CapacityException(String message) {
        super(message);
    }
}
