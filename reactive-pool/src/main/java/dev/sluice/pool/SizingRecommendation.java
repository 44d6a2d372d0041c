package dev.sluice.pool;

import java.util.List;

/**
 * What {@link PoolSizer} recommends, and why.
 *
 * @param minConnections   connections to keep open: the average load's busy connections, at least 1
 * @param maxConnections   the pool's maximum
 * @param busyConnections  connections the declared load keeps busy on average (ops/s × mean duration)
 * @param limitedByServer  whether the server share lowered the maximum below what the load needs
 * @param reasoning        the arithmetic, one human-readable line per step, with the actual numbers
 */
public record SizingRecommendation(int minConnections, int maxConnections, double busyConnections,
                                   boolean limitedByServer, List<String> reasoning) {

    /** Checks the numbers and copies the reasoning. */
    public SizingRecommendation {
        if (maxConnections < 1 || minConnections < 1 || minConnections > maxConnections) {
            throw new IllegalArgumentException("a recommendation needs 1 <= minConnections <= maxConnections, got "
                    + minConnections + " and " + maxConnections);
        }
        reasoning = List.copyOf(reasoning);
    }

    /**
     * Sets {@link #minConnections()} and {@link #maxConnections()} on {@code builder}, leaving everything else.
     *
     * @return {@code builder}
     */
    public PgPoolConfig.Builder applyTo(PgPoolConfig.Builder builder) {
        return builder.minConnections(minConnections).maxConnections(maxConnections);
    }

    /** The recommendation followed by its reasoning, one step per line. */
    @Override
    public String toString() {
        return "min " + minConnections + ", max " + maxConnections + (limitedByServer ? " (limited by the server)" : "")
                + System.lineSeparator() + "  " + String.join(System.lineSeparator() + "  ", reasoning);
    }
}
