package dev.sluice.pool.kv;

import dev.sluice.testkit.NatsServer;
import dev.sluice.testkit.SluiceServers;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class KvProvisioningTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    private static NatsServer nats;
    private static Connection admin;

    @BeforeAll
    static void connect() throws Exception {
        nats = SluiceServers.nats();
        admin = Nats.connect(nats.url());
    }

    @AfterAll
    static void close() throws Exception {
        admin.close();
    }

    @Test
    void startCreatesAMissingBucketWithTheConfiguredSettings() throws Exception {
        String prefix = nats.uniqueName("app") + "_";
        NatsConfig config = NatsConfig.builder()
                .servers(nats.url())
                .bucketPrefix(prefix)
                .bucket("sessions", b -> b.ttl(Duration.ofMinutes(10)).history(5).storage(KvStorage.MEMORY)
                        .maxBucketSize(1024 * 1024).maxValueSize(1024).description("user sessions"))
                .build();
        try (KvStores stores = KvStores.create(config)) {
            stores.start().block(WAIT);

            StreamConfiguration onServer = admin.jetStreamManagement().getStreamInfo("KV_" + prefix + "sessions").getConfiguration();
            assertThat(onServer.getMaxAge()).isEqualTo(Duration.ofMinutes(10));
            assertThat(onServer.getMaxMsgsPerSubject()).isEqualTo(5);
            assertThat(onServer.getStorageType()).isEqualTo(StorageType.Memory);
            assertThat(onServer.getMaxBytes()).isEqualTo(1024 * 1024);
            assertThat(onServer.getMaxMsgSize()).isEqualTo(1024);
            assertThat(onServer.getReplicas()).isEqualTo(1);
            assertThat(onServer.getDescription()).isEqualTo("user sessions");

            KvBucketStatus status = stores.store("sessions").status().block(WAIT);
            assertThat(status.bucket()).isEqualTo(prefix + "sessions");
            assertThat(status.ttl()).isEqualTo(Duration.ofMinutes(10));
            assertThat(status.history()).isEqualTo(5);
            assertThat(status.storage()).isEqualTo(KvStorage.MEMORY);
            assertThat(status.maxBucketSize()).isEqualTo(1024 * 1024);
            assertThat(status.maxValueSize()).isEqualTo(1024);
            assertThat(status.allowDirect()).isTrue();

            StepVerifier.create(stores.store("sessions").put("big", new byte[2048]))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(KvServerException.class).hasMessageContaining("put of key 'big'"))
                    .verify(WAIT);
        }
    }

    @Test
    void anExistingBucketWithOtherSettingsIsReportedAndLeftUnchanged() throws Exception {
        String bucket = nats.uniqueName("existing");
        admin.keyValueManagement().create(KeyValueConfiguration.builder().name(bucket).maxHistoryPerKey(1).storageType(StorageType.Memory).build());
        NatsConfig config = NatsConfig.builder().servers(nats.url())
                .bucket(bucket, b -> b.history(5).storage(KvStorage.MEMORY).ttl(Duration.ofMinutes(1)))
                .build();
        KvStores stores = KvStores.create(config);
        StepVerifier.create(stores.start())
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(BucketMismatchException.class)
                            .hasMessageContaining(bucket)
                            .hasMessageContaining("history: configured 5, on the server 1")
                            .hasMessageContaining("NATS_KV_ON_MISMATCH=update");
                    assertThat(((BucketMismatchException) e).differences()).hasSize(2);
                })
                .verify(WAIT);
        assertThat(stores.stats().connections()).isEmpty();
        JetStreamManagement jsm = admin.jetStreamManagement();
        assertThat(jsm.getStreamInfo("KV_" + bucket).getConfiguration().getMaxMsgsPerSubject()).isEqualTo(1);
        stores.close();
    }

    @Test
    void anExistingBucketIsUpdatedWhenTheConfigurationSaysSo() throws Exception {
        String bucket = nats.uniqueName("updated");
        admin.keyValueManagement().create(KeyValueConfiguration.builder().name(bucket).maxHistoryPerKey(1).storageType(StorageType.Memory).build());
        NatsConfig config = NatsConfig.builder().servers(nats.url())
                .bucket(bucket, b -> b.history(5).storage(KvStorage.MEMORY).onMismatch(MismatchPolicy.UPDATE))
                .build();
        try (KvStores stores = KvStores.create(config)) {
            stores.start().block(WAIT);
            assertThat(admin.jetStreamManagement().getStreamInfo("KV_" + bucket).getConfiguration().getMaxMsgsPerSubject()).isEqualTo(5);
            assertThat(stores.store(bucket).status().block(WAIT).history()).isEqualTo(5);
        }
    }

    @Test
    void anExistingBucketWithTheSameSettingsIsUsedAsItIs() throws Exception {
        String bucket = nats.uniqueName("same");
        admin.keyValueManagement().create(KeyValueConfiguration.builder().name(bucket).maxHistoryPerKey(3).storageType(StorageType.Memory).build());
        admin.keyValue(bucket).put("kept", "yes".getBytes());
        try (KvStores stores = KvStores.create(NatsConfig.builder().servers(nats.url())
                .bucket(bucket, b -> b.history(3).storage(KvStorage.MEMORY)).build())) {
            stores.start().block(WAIT);
            assertThat(stores.store(bucket).get("kept").block(WAIT).valueAsString()).isEqualTo("yes");
        }
    }

    @Test
    void aBucketTheServerCannotCreateFailsStartWithTheServersReason() {
        String bucket = nats.uniqueName("replicated");
        KvStores stores = KvStores.create(NatsConfig.builder().servers(nats.url()).bucket(bucket, b -> b.replicas(3)).build());
        StepVerifier.create(stores.start())
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(KvServerException.class).hasMessageContaining(bucket)
                        .hasMessageContaining("provision"))
                .verify(WAIT);
        stores.close();
    }
}
