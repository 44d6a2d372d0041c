package dev.sluice.testkit.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Answers "is a Docker engine reachable?" within a bounded, short time, before Testcontainers is touched
 * (Testcontainers' own discovery can take many seconds when no engine runs).
 *
 * <p>It looks at {@code DOCKER_HOST}, then the usual socket paths, and sends {@code GET /_ping}; only an
 * {@code OK} answer counts.
 */
public final class DockerProbe {

    /** The most any single probe waits for an answer. */
    public static final Duration TIMEOUT = Duration.ofMillis(300);

    private DockerProbe() {
    }

    /** The outcome: an engine endpoint that answered, or the reasons none did. */
    public record Result(boolean reachable, String endpoint, List<String> reasons) {
    }

    /** Probes with the process environment. */
    public static Result probe() {
        return probe(System.getenv(), List.of(Path.of("/var/run/docker.sock"),
                Path.of(System.getProperty("user.home"), ".docker", "run", "docker.sock")));
    }

    /** Probes {@code DOCKER_HOST} from {@code env}, else each of {@code sockets}. */
    public static Result probe(Map<String, String> env, List<Path> sockets) {
        List<String> reasons = new ArrayList<>();
        if ("false".equalsIgnoreCase(env.get("SLUICE_TESTKIT_DOCKER"))) {
            return new Result(false, null, List.of("SLUICE_TESTKIT_DOCKER=false"));
        }
        String dockerHost = env.get("DOCKER_HOST");
        List<String> endpoints = new ArrayList<>();
        if (dockerHost != null && !dockerHost.isBlank()) {
            endpoints.add(dockerHost.trim());
        } else {
            for (Path socket : sockets) {
                endpoints.add("unix://" + socket);
            }
        }
        for (String endpoint : endpoints) {
            Optional<String> failure = ping(endpoint);
            if (failure.isEmpty()) {
                return new Result(true, endpoint, List.of());
            }
            reasons.add(endpoint + ": " + failure.get());
        }
        return new Result(false, null, List.copyOf(reasons));
    }

    private static Optional<String> ping(String endpoint) {
        SocketAddress address;
        try {
            URI uri = URI.create(endpoint);
            if ("unix".equals(uri.getScheme())) {
                Path path = Path.of(uri.getPath());
                if (!Files.exists(path)) {
                    return Optional.of("no such socket");
                }
                address = UnixDomainSocketAddress.of(path);
            } else if ("tcp".equals(uri.getScheme()) || "http".equals(uri.getScheme())) {
                address = new InetSocketAddress(uri.getHost(), uri.getPort() < 0 ? 2375 : uri.getPort());
            } else {
                return Optional.of("unsupported scheme (only unix:// and tcp:// are probed)");
            }
        } catch (IllegalArgumentException e) {
            return Optional.of("malformed: " + e.getMessage());
        }
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        try (SocketChannel channel = address instanceof UnixDomainSocketAddress
                ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
             Selector selector = Selector.open()) {
            channel.configureBlocking(false);
            if (!channel.connect(address)) {
                channel.register(selector, SelectionKey.OP_CONNECT);
                if (!await(selector, deadline) || !channel.finishConnect()) {
                    return Optional.of("no answer within " + TIMEOUT.toMillis() + " ms");
                }
            }
            channel.write(ByteBuffer.wrap("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            channel.register(selector, SelectionKey.OP_READ);
            ByteBuffer buffer = ByteBuffer.allocate(512);
            StringBuilder answer = new StringBuilder();
            while (System.nanoTime() < deadline) {
                if (!await(selector, deadline)) {
                    break;
                }
                buffer.clear();
                int n = channel.read(buffer);
                if (n < 0) {
                    break;
                }
                answer.append(new String(buffer.array(), 0, n, StandardCharsets.US_ASCII));
                if (answer.indexOf("\r\n\r\n") >= 0 && answer.toString().contains("OK")) {
                    return answer.toString().startsWith("HTTP/1.") && answer.toString().contains(" 200 ")
                            ? Optional.empty() : Optional.of("unexpected answer " + firstLine(answer));
                }
            }
            return Optional.of(answer.length() == 0 ? "no answer within " + TIMEOUT.toMillis() + " ms"
                    : "unexpected answer " + firstLine(answer));
        } catch (IOException e) {
            return Optional.of(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static boolean await(Selector selector, long deadline) throws IOException {
        long millis = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
        int ready = selector.select(millis);
        selector.selectedKeys().clear();
        return ready > 0;
    }

    private static String firstLine(CharSequence s) {
        String text = s.toString();
        int end = text.indexOf('\r');
        return end < 0 ? text : text.substring(0, end);
    }
}
