package dev.sluice.testkit;

import dev.sluice.testkit.internal.DockerProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DockerProbeTest {

    @Test
    void noSocketMeansNoEngineWithoutWaiting() {
        long start = System.nanoTime();
        DockerProbe.Result result = DockerProbe.probe(Map.of(), List.of(Path.of("/nonexistent/docker.sock")));
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(result.reachable()).isFalse();
        assertThat(result.reasons()).singleElement().asString().contains("no such socket");
        assertThat(millis).as("fallback must not wait on a timeout").isLessThan(1000);
    }

    @Test
    void aSilentSocketGivesUpWithinTheProbeTimeout(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("silent.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            long start = System.nanoTime();
            DockerProbe.Result result = DockerProbe.probe(Map.of(), List.of(socket));
            long millis = (System.nanoTime() - start) / 1_000_000;

            assertThat(result.reachable()).isFalse();
            assertThat(result.reasons()).singleElement().asString().contains("no answer");
            assertThat(millis).isLessThan(1000);
        }
    }

    @Test
    void anEngineAnsweringPingIsReachable(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("engine.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread engine = new Thread(() -> {
                try (SocketChannel client = server.accept()) {
                    client.read(ByteBuffer.allocate(256));
                    client.write(ByteBuffer.wrap("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK".getBytes(StandardCharsets.US_ASCII)));
                } catch (Exception ignored) {
                    // the probe closed first
                }
            });
            engine.start();
            DockerProbe.Result result = DockerProbe.probe(Map.of("DOCKER_HOST", "unix://" + socket), List.of());
            engine.join(2000);
            assertThat(result.reachable()).isTrue();
            assertThat(result.endpoint()).isEqualTo("unix://" + socket);
        }
    }

    @Test
    void dockerCanBeTurnedOffExplicitly() {
        assertThat(DockerProbe.probe(Map.of("SLUICE_TESTKIT_DOCKER", "false"), List.of()).reachable()).isFalse();
    }
}
