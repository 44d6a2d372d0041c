package dev.sluice.testkit;

import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.KeyValue;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmbeddedNatsTest {

    @Test
    void sharedServerAcceptsJetStreamKeyValueWrites() throws Exception {
        NatsServer server = SluiceServers.nats();
        try (Connection nc = Nats.connect(server.url())) {
            String bucket = server.uniqueName("kv");
            nc.keyValueManagement().create(KeyValueConfiguration.builder().name(bucket).storageType(StorageType.Memory).build());
            KeyValue kv = nc.keyValue(bucket);
            long revision = kv.put("greeting", "hello".getBytes(StandardCharsets.UTF_8));
            assertThat(revision).isPositive();
            assertThat(kv.get("greeting").getValueAsString()).isEqualTo("hello");
            nc.keyValueManagement().delete(bucket);
        }
    }

    @Test
    void stopAndStartKeepPortAndJetStreamStore() throws Exception {
        try (EmbeddedNats nats = EmbeddedNats.start()) {
            int port = nats.port();
            try (Connection nc = Nats.connect(nats.url())) {
                nc.jetStreamManagement().addStream(StreamConfiguration.builder().name("KEPT").subjects("kept.>")
                        .storageType(StorageType.File).build());
                nc.jetStream().publish("kept.one", "x".getBytes(StandardCharsets.UTF_8));
            }
            nats.stop();
            assertThat(nats.isRunning()).isFalse();
            Options options = new Options.Builder().server(nats.url()).connectionTimeout(Duration.ofMillis(500)).maxReconnects(0).build();
            assertThatThrownBy(() -> Nats.connect(options)).isInstanceOf(Exception.class);

            nats.startProcess();
            assertThat(nats.port()).isEqualTo(port);
            try (Connection nc = Nats.connect(nats.url())) {
                JetStreamManagement jsm = nc.jetStreamManagement();
                assertThat(jsm.getStreamInfo("KEPT").getStreamState().getMsgCount()).isEqualTo(1);
            }
        }
    }

    @Test
    void closeRemovesTheStore() {
        EmbeddedNats nats = EmbeddedNats.start();
        Path store = nats.storeDirectory();
        assertThat(store.getParent()).exists();
        nats.close();
        assertThat(store.getParent()).doesNotExist();
    }

    @Test
    void missingBinarySaysWhatToInstall() {
        assertThatThrownBy(() -> EmbeddedNats.locateBinary(Map.of("PATH", "/nonexistent"), List.of()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("apt-get install nats-server")
                .hasMessageContaining("SLUICE_NATS_URL");
        assertThatThrownBy(() -> EmbeddedNats.locateBinary(Map.of("SLUICE_NATS_SERVER", "/nonexistent/nats-server")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("SLUICE_NATS_SERVER=/nonexistent/nats-server");
    }
}
