package dev.sluice.pool.kv;

import dev.sluice.testkit.NatsServer;
import dev.sluice.testkit.SluiceExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.test.StepVerifier;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(SluiceExtension.class)
class KvMessageIdTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private static KvStores stores;
    private static KvStore kv;

    @BeforeAll
    static void start(NatsServer nats) {
        stores = KvStores.create(NatsConfig.builder()
                .servers(nats.url())
                .bucketPrefix(nats.uniqueName("msgid") + "-")
                .bucket("main", b -> b.history(10).storage(KvStorage.MEMORY))
                .build());
        stores.start().block(WAIT);
        kv = stores.store("main");
    }

    @AfterAll
    static void stop() {
        if (stores != null) {
            stores.close();
        }
    }

    private static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> history(String key) {
        return kv.history(key).map(e -> e.isDeleted() ? "<deleted>" : e.valueAsString()).collectList().block(WAIT);
    }

    @Test
    void putRepeatedWithTheSameMessageIdIsStoredOnceAndEmitsTheOriginalRevision() {
        long first = kv.put("put.once", utf8("a"), "put-once-1").block(WAIT);
        long second = kv.put("put.once", utf8("a"), "put-once-1").block(WAIT);

        assertThat(second).isEqualTo(first);
        assertThat(history("put.once")).containsExactly("a");
    }

    @Test
    void putsWithDifferentMessageIdsAreBothStored() {
        long first = kv.put("put.twice", utf8("a"), "put-twice-1").block(WAIT);
        long second = kv.put("put.twice", utf8("a"), "put-twice-2").block(WAIT);

        assertThat(second).isGreaterThan(first);
        assertThat(history("put.twice")).containsExactly("a", "a");
    }

    @Test
    void updateRepeatedAfterTheKeyMovedOnIsAcknowledgedAsTheOriginalWrite() {
        long base = kv.put("update.repeat", "v0").block(WAIT);
        long updated = kv.update("update.repeat", utf8("v1"), base, "update-repeat-1").block(WAIT);
        kv.put("update.repeat", "v2").block(WAIT);

        StepVerifier.create(kv.update("update.repeat", utf8("v1"), base, "update-repeat-1"))
                .expectNext(updated)
                .verifyComplete();
        assertThat(history("update.repeat")).containsExactly("v0", "v1", "v2");
    }

    @Test
    void updateWithANewMessageIdStillComparesTheRevision() {
        long base = kv.put("update.cas", "v0").block(WAIT);
        kv.put("update.cas", "v1").block(WAIT);

        StepVerifier.create(kv.update("update.cas", utf8("lost"), base, "update-cas-1"))
                .expectError(WrongRevisionException.class)
                .verify(WAIT);
        assertThat(history("update.cas")).containsExactly("v0", "v1");
    }

    @Test
    void refusedWriteLeavesItsMessageIdFreeForALaterAttempt() {
        long base = kv.put("refused.free", "v0").block(WAIT);
        kv.put("refused.free", "v1").block(WAIT);
        StepVerifier.create(kv.update("refused.free", utf8("v2"), base, "refused-free-1"))
                .expectError(WrongRevisionException.class)
                .verify(WAIT);

        long current = kv.get("refused.free").block(WAIT).revision();
        long written = kv.update("refused.free", utf8("v2"), current, "refused-free-1").block(WAIT);

        assertThat(written).isGreaterThan(current);
        assertThat(history("refused.free")).containsExactly("v0", "v1", "v2");
    }

    @Test
    void createRepeatedWithTheSameMessageIdEmitsItsRevisionInsteadOfKeyExists() {
        long created = kv.create("create.repeat", utf8("c"), "create-repeat-1").block(WAIT);

        StepVerifier.create(kv.create("create.repeat", utf8("c"), "create-repeat-1"))
                .expectNext(created)
                .verifyComplete();
        StepVerifier.create(kv.create("create.repeat", utf8("c"), "create-repeat-2"))
                .expectError(KeyExistsException.class)
                .verify(WAIT);
        assertThat(history("create.repeat")).containsExactly("c");
    }

    @Test
    void createAfterADeleteWithAMessageIdIsStoredOnce() {
        kv.put("create.deleted", "old").block(WAIT);
        kv.delete("create.deleted").block(WAIT);

        long created = kv.create("create.deleted", utf8("new"), "create-deleted-1").block(WAIT);
        long again = kv.create("create.deleted", utf8("new"), "create-deleted-1").block(WAIT);

        assertThat(again).isEqualTo(created);
        assertThat(history("create.deleted")).containsExactly("old", "<deleted>", "new");
    }

    @Test
    void deleteRepeatedWithTheSameMessageIdWritesOneMarker() {
        long base = kv.put("delete.repeat", "v0").block(WAIT);
        long marker = kv.delete("delete.repeat", base, "delete-repeat-1").block(WAIT);

        assertThat(kv.delete("delete.repeat", base, "delete-repeat-1").block(WAIT)).isEqualTo(marker);
        assertThat(history("delete.repeat")).containsExactly("v0", "<deleted>");
        StepVerifier.create(kv.get("delete.repeat")).verifyComplete();
    }

    @Test
    void deleteWithoutRevisionRepeatedWithTheSameMessageIdWritesOneMarker() {
        kv.put("delete.blind", "v0").block(WAIT);
        long marker = kv.delete("delete.blind", "delete-blind-1").block(WAIT);
        kv.put("delete.blind", "v1").block(WAIT);

        assertThat(kv.delete("delete.blind", "delete-blind-1").block(WAIT)).isEqualTo(marker);
        assertThat(history("delete.blind")).containsExactly("v0", "<deleted>", "v1");
        assertThat(kv.delete("delete.blind", "delete-blind-2").block(WAIT)).isGreaterThan(marker);
        assertThat(history("delete.blind")).containsExactly("v0", "<deleted>", "v1", "<deleted>");
    }

    @Test
    void invalidMessageIdIsRefusedBeforeAnythingIsSent() {
        assertThatThrownBy(() -> kv.put("invalid.id", utf8("x"), "has space").block(WAIT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("message id 'has space'");
        assertThatThrownBy(() -> kv.create("invalid.id", utf8("x"), "").block(WAIT))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> kv.update("invalid.id", utf8("x"), 1, "x".repeat(KvStore.MAX_MESSAGE_ID_LENGTH + 1)).block(WAIT))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> kv.delete("invalid.id", 1, null).block(WAIT))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> kv.delete("invalid.id", "has space").block(WAIT))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(history("invalid.id")).isEmpty();
    }
}
