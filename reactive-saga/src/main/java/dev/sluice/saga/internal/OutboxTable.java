package dev.sluice.saga.internal;

import dev.sluice.pool.PgPool;
import dev.sluice.pool.Tx;
import io.r2dbc.spi.Parameters;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.UUID;

/**
 * The outbox table of the log (internal): eventual sagas' KV writes, written in the saga's transaction and delivered
 * later by the relay, in order per key.
 */
public final class OutboxTable {

    private static final String INSERT = """
            INSERT INTO {outbox} (saga_id, step_id, bucket, key, value, message_id) VALUES ($1, $2, $3, $4, $5, $6) \
            ON CONFLICT (message_id) DO NOTHING""";

    private static final String CLAIM = """
            SELECT o.id, o.bucket, o.key, o.value, o.message_id FROM {outbox} o WHERE o.delivered_at IS NULL \
            AND o.bucket = ANY($1) AND o.id <> ALL($3) AND NOT EXISTS (SELECT 1 FROM {outbox} e WHERE e.bucket = o.bucket \
            AND e.key = o.key AND e.delivered_at IS NULL AND e.id < o.id) ORDER BY o.id LIMIT $2 FOR UPDATE OF o SKIP LOCKED""";

    private static final String DELIVERED = """
            UPDATE {outbox} SET delivered_at = now(), revision = $2, attempts = attempts + 1, last_error = NULL \
            WHERE id = $1""";

    private static final String FAILED = "UPDATE {outbox} SET attempts = attempts + 1, last_error = $2 WHERE id = $1";

    private static final String PENDING = "SELECT count(*) AS n FROM {outbox} WHERE delivered_at IS NULL";

    private final PgPool pool;
    private final String insert;
    private final String claim;
    private final String delivered;
    private final String failed;
    private final String pending;

    /**
     * @param pool   the pool of the log's database
     * @param tables the log's tables
     */
    public OutboxTable(PgPool pool, TableNames tables) {
        this.pool = pool;
        this.insert = tables.sql(INSERT);
        this.claim = tables.sql(CLAIM);
        this.delivered = tables.sql(DELIVERED);
        this.failed = tables.sql(FAILED);
        this.pending = tables.sql(PENDING);
    }

    /** Writes one outbox row inside {@code tx}; a null {@code value} makes it a delete. */
    public Mono<Void> insertIn(Tx tx, UUID sagaId, String stepId, String bucket, String key, byte[] value, String messageId) {
        return tx.update(insert, sagaId, stepId, bucket, key, value == null ? Parameters.in(ByteBuffer.class) : ByteBuffer.wrap(value),
                messageId).then();
    }

    /**
     * Claims, inside {@code tx}, up to {@code limit} undelivered outbox rows of the given buckets that are the oldest
     * undelivered row of their key, skipping rows another relay holds and the rows of {@code skipped}: so rows of one
     * key are delivered in order even with several relays.
     */
    public Flux<OutboxRow> claimIn(Tx tx, Collection<String> buckets, int limit, Collection<Long> skipped) {
        return tx.query(claim, row -> new OutboxRow(row.get("id", Long.class), row.get("bucket", String.class), row.get("key", String.class),
                        bytes(row.get("value", ByteBuffer.class)), row.get("message_id", String.class)),
                buckets.toArray(String[]::new), limit, skipped.toArray(Long[]::new));
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    /** Marks an outbox row delivered with the KV revision it got. */
    public Mono<Void> deliveredIn(Tx tx, long id, long revision) {
        return tx.update(delivered, id, revision).then();
    }

    /** Records a failed delivery of an outbox row; it stays pending. */
    public Mono<Void> failedIn(Tx tx, long id, String error) {
        return tx.update(failed, id, error).then();
    }

    /** How many outbox rows wait for delivery. */
    public Mono<Long> pending() {
        return pool.queryOne(pending, row -> row.get("n", Long.class));
    }

    /**
     * An outbox row claimed for delivery (internal).
     *
     * @param id        its id (delivery order within a key)
     * @param bucket    the bucket's name on the server
     * @param key       the key
     * @param value     the value to put, or null to delete the key
     * @param messageId the write's JetStream message id
     */
    public record OutboxRow(long id, String bucket, String key, byte[] value, String messageId) {
    }
}
