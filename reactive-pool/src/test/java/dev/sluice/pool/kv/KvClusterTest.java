package dev.sluice.pool.kv;

import dev.sluice.testkit.EmbeddedNats;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.ClusterInfo;
import io.nats.client.api.Replica;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** A three-node JetStream cluster with a 3-replica bucket: losing one node does not stop puts and gets. */
class KvClusterTest {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration RECONNECT_DELAY = Duration.ofMillis(250);
    /** Generous bound for one operation while a node is down: reconnect, stream leader election, request timeout. */
    private static final Duration OPERATION_BOUND = Duration.ofSeconds(20);

    private final List<EmbeddedNats> nodes = new ArrayList<>();
    private KvStores stores;

    @AfterEach
    void tearDown() {
        if (stores != null) {
            stores.close();
        }
        nodes.forEach(EmbeddedNats::close);
    }

    @Test
    void putsAndGetsKeepWorkingWhenANodeDiesAndTheNodeRejoins() throws Exception {
        int[] clientPorts = freePorts(3);
        int[] routePorts = freePorts(3);
        for (int i = 0; i < 3; i++) {
            int self = i;
            List<String> routes = IntStream.range(0, 3).filter(j -> j != self).mapToObj(j -> "nats://127.0.0.1:" + routePorts[j]).toList();
            nodes.add(EmbeddedNats.builder().port(clientPorts[i]).serverName("kv-node-" + i).cluster("sluice-kv", routePorts[i]).routes(routes).build());
        }
        nodes.forEach(EmbeddedNats::startProcess);

        stores = KvStores.create(NatsConfig.builder()
                .servers(nodes.stream().map(EmbeddedNats::url).toList())
                .requestTimeout(REQUEST_TIMEOUT)
                .reconnect(ReconnectPolicy.DEFAULT.withMaxAttempts(-1).withDelay(RECONNECT_DELAY).withJitter(Duration.ofMillis(50)))
                .bucket("replicated", b -> b.replicas(3).storage(KvStorage.FILE))
                .build());
        stores.start().retryWhen(Retry.fixedDelay(120, Duration.ofMillis(500))).block(Duration.ofSeconds(90));
        KvStore kv = stores.store("replicated");
        assertThat(kv.status().block(REQUEST_TIMEOUT).replicas()).isEqualTo(3);
        long before = eventually(kv.put("k", "before-kill")).block(OPERATION_BOUND);

        String connectedTo = stores.stats().connections().get(0).server();
        EmbeddedNats victim = nodes.stream().filter(n -> connectedTo.endsWith(":" + n.port())).findFirst().orElseThrow();
        victim.kill();
        long killedAt = System.nanoTime();

        long last = before;
        for (int i = 0; i < 20; i++) {
            String value = "after-kill-" + i;
            long revision = eventually(kv.put("k", value)).block(OPERATION_BOUND);
            assertThat(revision).isGreaterThan(last);
            last = revision;
            long expected = revision;
            KvEntry read = eventually(kv.get("k").filter(e -> e.revision() >= expected)).block(OPERATION_BOUND);
            assertThat(read.valueAsString()).isEqualTo(value);
        }
        LoggerFactory.getLogger(KvClusterTest.class).info("20 puts and gets after killing {} took {} ms", victim.serverName(),
                Duration.ofNanos(System.nanoTime() - killedAt).toMillis());
        assertThat(stores.stats().connections().get(0).server()).isNotEqualTo(connectedTo);

        victim.startProcess();
        awaitReplicasCurrent(victim, "KV_" + kv.bucket(), Duration.ofSeconds(60));
        assertThat(eventually(kv.put("k", "after-rejoin")).block(OPERATION_BOUND)).isGreaterThan(last);
    }

    /** Retries an operation that fails while the cluster fails over (timeouts, reconnecting, leader election). */
    private static <T> Mono<T> eventually(Mono<T> operation) {
        return operation.switchIfEmpty(Mono.error(new IllegalStateException("not visible yet")))
                .retryWhen(Retry.fixedDelay(Long.MAX_VALUE, Duration.ofMillis(100))
                        .filter(e -> e instanceof KvTimeoutException || e instanceof NotConnectedException
                                || e instanceof BucketNotFoundException || e instanceof KvServerException
                                || e instanceof IllegalStateException))
                .timeout(OPERATION_BOUND);
    }

    private static void awaitReplicasCurrent(EmbeddedNats node, String stream, Duration timeout) throws Exception {
        Options options = new Options.Builder().server(node.url()).connectionTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        try (Connection nc = Nats.connect(options)) {
            while (System.nanoTime() < deadline) {
                try {
                    ClusterInfo cluster = nc.jetStreamManagement().getStreamInfo(stream).getClusterInfo();
                    List<Replica> replicas = cluster.getReplicas();
                    last = "leader " + cluster.getLeader() + ", replicas " + replicas;
                    if (cluster.getLeader() != null && replicas != null && replicas.size() == 2
                            && replicas.stream().allMatch(r -> r.isCurrent() && !r.isOffline())) {
                        return;
                    }
                } catch (IOException | io.nats.client.JetStreamApiException notYet) {
                    last = notYet.toString();
                }
                Thread.sleep(200);
            }
        }
        throw new AssertionError(node.serverName() + " did not rejoin the replicas of " + stream + " within " + timeout + ": " + last);
    }

    private static int[] freePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            sockets.forEach(s -> {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // the port is handed to nats-server next
                }
            });
        }
    }
}
