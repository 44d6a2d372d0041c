package dev.sluice.testkit;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PublishOptions;
import io.nats.client.api.ClusterInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.api.Replica;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NatsClusterTest {

    private static final Duration FAILOVER_BOUND = Duration.ofSeconds(30);

    @Test
    void startReturnsWithAMetaLeaderSoReplicatedStreamsCanBeCreatedAtOnce() throws Exception {
        NatsCluster cluster = NatsCluster.start(3);
        List<Path> stores = cluster.nodes().stream().map(EmbeddedNats::storeDirectory).toList();
        try {
            assertThat(cluster.urls().split(",")).hasSize(3).doesNotHaveDuplicates();
            assertThat(cluster.nodes()).allSatisfy(node -> assertThat(node.isHealthy()).isTrue());
            for (EmbeddedNats node : cluster.nodes()) {
                try (Connection nc = Nats.connect(node.url())) {
                    assertThat(nc.getServerInfo().getServerName()).isEqualTo(node.serverName());
                    assertThat(nc.jetStreamManagement().getAccountStatistics()).isNotNull();
                }
            }
            try (Connection nc = connectToAll(cluster)) {
                StreamInfo created = nc.jetStreamManagement().addStream(replicatedStream("READY"));
                ClusterInfo placement = created.getClusterInfo();
                assertThat(placement.getName()).isEqualTo(cluster.name());
                assertThat(placement.getLeader()).isNotBlank();
                assertThat(placement.getReplicas()).hasSize(2);
            }
        } finally {
            cluster.close();
        }
        assertThat(stores).allSatisfy(store -> assertThat(store.getParent()).doesNotExist());
    }

    @Test
    void replicatedStreamKeepsAcceptingWritesWhenItsLeaderIsKilledAndTheNodeRejoins() throws Exception {
        try (NatsCluster cluster = NatsCluster.start(3); Connection nc = connectToAll(cluster)) {
            JetStreamManagement jsm = nc.jetStreamManagement();
            JetStream js = nc.jetStream(JetStreamOptions.builder().requestTimeout(Duration.ofSeconds(2)).build());
            jsm.addStream(replicatedStream("ORDERS"));
            for (int i = 0; i < 10; i++) {
                publishWithRetry(js, i);
            }
            String killedName = streamInfoWithRetry(jsm).getClusterInfo().getLeader();
            int killed = indexOf(cluster, killedName);

            cluster.kill(killed);

            assertThat(cluster.node(killed).isRunning()).isFalse();
            List<Long> sequences = new ArrayList<>();
            for (int i = 10; i < 60; i++) {
                sequences.add(publishWithRetry(js, i).getSeqno());
            }
            assertThat(sequences).doesNotHaveDuplicates().allSatisfy(seq -> assertThat(seq).isBetween(11L, 60L));
            StreamInfo afterKill = streamInfoWithRetry(jsm);
            assertThat(afterKill.getStreamState().getMsgCount()).isEqualTo(60);
            assertThat(afterKill.getClusterInfo().getLeader()).isNotEqualTo(killedName);

            cluster.rejoin(killed);

            assertThat(cluster.node(killed).isHealthy()).isTrue();
            StreamInfo rejoined = awaitAllReplicasCurrent(jsm);
            assertThat(rejoined.getClusterInfo().getReplicas()).extracting(Replica::getName).contains(killedName);
            assertThat(rejoined.getStreamState().getMsgCount()).isEqualTo(60);
        }
    }

    @Test
    void stoppedNodeRefusesClientsAndRejoinsOnItsOwnPortAndStore() throws Exception {
        try (NatsCluster cluster = NatsCluster.start(3)) {
            EmbeddedNats node = cluster.node(1);
            try (Connection nc = Nats.connect(node.url())) {
                nc.jetStreamManagement().addStream(replicatedStream("KEPT"));
                nc.jetStream().publish("kept.one", "x".getBytes(StandardCharsets.UTF_8));
            }
            int port = node.port();

            cluster.stop(1);

            Options direct = new Options.Builder().server(node.url()).connectionTimeout(Duration.ofMillis(500)).maxReconnects(0).build();
            assertThatThrownBy(() -> Nats.connect(direct)).isInstanceOf(IOException.class);
            cluster.awaitHealthy(FAILOVER_BOUND);

            cluster.rejoin(1);

            assertThat(node.port()).isEqualTo(port);
            try (Connection nc = Nats.connect(node.url())) {
                assertThat(nc.getServerInfo().getServerName()).isEqualTo(node.serverName());
                assertThat(nc.jetStreamManagement().getStreamInfo("KEPT").getStreamState().getMsgCount()).isEqualTo(1);
            }
        }
    }

    private static StreamConfiguration replicatedStream(String name) {
        return StreamConfiguration.builder()
                .name(name)
                .subjects(name.toLowerCase() + ".>")
                .storageType(StorageType.File)
                .replicas(3)
                .build();
    }

    private static Connection connectToAll(NatsCluster cluster) throws IOException, InterruptedException {
        return Nats.connect(new Options.Builder()
                .server(cluster.urls())
                .connectionTimeout(Duration.ofSeconds(2))
                .reconnectWait(Duration.ofMillis(100))
                .maxReconnects(-1)
                .build());
    }

    private static int indexOf(NatsCluster cluster, String serverName) {
        for (int i = 0; i < cluster.size(); i++) {
            if (cluster.node(i).serverName().equals(serverName)) {
                return i;
            }
        }
        throw new AssertionError("no node named " + serverName + " in " + cluster);
    }

    /**
     * Publishes message {@code i} until it is acknowledged. The message id makes a retry after a lost
     * acknowledgement a duplicate the stream drops, so every message is stored exactly once.
     */
    private static PublishAck publishWithRetry(JetStream js, int i) throws Exception {
        PublishOptions once = PublishOptions.builder().messageId("order-" + i).build();
        return retry(() -> js.publish("orders.placed", ("order " + i).getBytes(StandardCharsets.UTF_8), once));
    }

    private static StreamInfo streamInfoWithRetry(JetStreamManagement jsm) throws Exception {
        return retry(() -> jsm.getStreamInfo("ORDERS"));
    }

    private static StreamInfo awaitAllReplicasCurrent(JetStreamManagement jsm) throws Exception {
        long deadline = System.nanoTime() + FAILOVER_BOUND.toNanos();
        StreamInfo info = streamInfoWithRetry(jsm);
        while (!allCurrent(info.getClusterInfo())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("replicas not current within " + FAILOVER_BOUND + ": " + info.getClusterInfo());
            }
            Thread.sleep(100);
            info = streamInfoWithRetry(jsm);
        }
        return info;
    }

    private static boolean allCurrent(ClusterInfo cluster) {
        return cluster.getLeader() != null && cluster.getReplicas() != null && cluster.getReplicas().size() == 2
                && cluster.getReplicas().stream().allMatch(r -> r.isCurrent() && !r.isOffline() && r.getLag() == 0);
    }

    /** Retries a JetStream call while the cluster elects a new leader or the client reconnects, up to the bound. */
    private static <T> T retry(JetStreamCall<T> call) throws Exception {
        long deadline = System.nanoTime() + FAILOVER_BOUND.toNanos();
        while (true) {
            try {
                return call.run();
            } catch (IOException | JetStreamApiException | IllegalStateException e) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("no success within " + FAILOVER_BOUND + ", last error: " + e);
                }
                Thread.sleep(100);
            }
        }
    }

    @FunctionalInterface
    private interface JetStreamCall<T> {
        T run() throws IOException, JetStreamApiException, InterruptedException;
    }
}
