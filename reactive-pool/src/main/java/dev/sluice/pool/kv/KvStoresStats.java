package dev.sluice.pool.kv;

import java.util.List;
import java.util.Map;

/**
 * A snapshot of {@link KvStores}: its connections and its stores.
 *
 * @param connections   one entry per connection of the pool
 * @param stores        statistics by logical bucket name
 * @param droppedEvents connection events that could not be kept for a slow subscriber of {@link KvStores#events()}
 */
public record KvStoresStats(List<ConnectionStats> connections, Map<String, KvStoreStats> stores, long droppedEvents) {
}
