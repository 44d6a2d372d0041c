package dev.sluice.pool.kv.internal;

import dev.sluice.pool.kv.KvEntry;
import io.nats.client.PublishOptions;
import io.nats.client.impl.Headers;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The headers and publish options of KV writes; {@code KvStoreContractTest} and {@code KvMessageIdTest} send them to a server. */
class KvHeadersTest {

    @Test
    void markersReadBackAsTheOperationTheyStandFor() {
        assertThat(KvHeaders.operation(KvHeaders.delete())).isEqualTo(KvEntry.Operation.DELETE);
        assertThat(KvHeaders.operation(KvHeaders.purge())).isEqualTo(KvEntry.Operation.PURGE);
        assertThat(KvHeaders.operation(null)).isEqualTo(KvEntry.Operation.PUT);
        assertThat(KvHeaders.operation(new Headers())).isEqualTo(KvEntry.Operation.PUT);
    }

    @Test
    void aPurgeRollsTheSubjectUpAndADeleteDoesNot() {
        assertThat(KvHeaders.purge().getFirst("Nats-Rollup")).isEqualTo("sub");
        assertThat(KvHeaders.delete().containsKey("Nats-Rollup")).isFalse();
    }

    @Test
    void anUnconditionalWriteWithoutMessageIdNeedsNoOptions() {
        assertThat(KvHeaders.publishOptions(-1, null)).isNull();
    }

    @Test
    void aCreateExpectsTheSubjectToHaveNoMessage() {
        PublishOptions create = KvHeaders.publishOptions(0, null);

        assertThat(create.getExpectedLastSubjectSequence()).isZero();
        assertThat(create.getMessageId()).isNull();
    }

    @Test
    void anIdempotentCompareAndSetCarriesTheRevisionAndTheMessageId() {
        PublishOptions update = KvHeaders.publishOptions(42, "order-42-paid");
        PublishOptions put = KvHeaders.publishOptions(-1, "order-43-paid");

        assertThat(update.getExpectedLastSubjectSequence()).isEqualTo(42);
        assertThat(update.getMessageId()).isEqualTo("order-42-paid");
        assertThat(put.getExpectedLastSubjectSequence()).isEqualTo(PublishOptions.UNSET_LAST_SEQUENCE);
        assertThat(put.getMessageId()).isEqualTo("order-43-paid");
    }

    @Test
    void everyWriteGetsHeadersOfItsOwn() {
        Headers first = KvHeaders.delete();
        first.add("X-Trace", "abc");

        assertThat(KvHeaders.delete()).isNotSameAs(first);
        assertThat(KvHeaders.delete().size()).isEqualTo(1);
    }
}
