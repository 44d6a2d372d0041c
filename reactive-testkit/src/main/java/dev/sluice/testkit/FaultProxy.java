package dev.sluice.testkit;

import dev.sluice.testkit.internal.FreePorts;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelOption;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.NettyInbound;
import reactor.netty.NettyOutbound;
import reactor.netty.resources.LoopResources;
import reactor.netty.tcp.TcpClient;
import reactor.netty.tcp.TcpServer;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy on a loopback port, placed between a client and a server (PostgreSQL, NATS, anything on TCP) to
 * inject network faults, switchable at run time:
 * <ul>
 *   <li>{@link #passThrough()}: bytes are forwarded as they come (the initial mode);</li>
 *   <li>{@link #addLatency(Duration)}: every chunk of bytes, in both directions, is forwarded the given time after
 *       it arrived, so a request-response round trip takes at least twice that;</li>
 *   <li>{@link #refuseNewConnections()}: the proxy stops listening, so new connections are refused by the
 *       operating system ({@code ECONNREFUSED}, as when a server is down); open connections go on as in
 *       pass-through;</li>
 *   <li>{@link #blackHole()}: connections, new and open, are accepted and held, but nothing is forwarded in
 *       either direction and nothing is reset or closed by the proxy (as when packets are dropped): clients
 *       hang until their own timeouts fire. New connections are not even opened to the server. When the mode
 *       changes again, whatever was held is delivered, as TCP retransmission would after the network heals;</li>
 *   <li>{@link #resetConnections()}: an action, not a mode: every open connection is reset (TCP RST) on both
 *       sides at once.</li>
 * </ul>
 * When the server cannot be reached, the proxy resets the client's connection right after accepting it.
 *
 * <p>Built on Reactor Netty ({@link TcpServer} and {@link TcpClient}) with event-loop threads of its own, so a
 * busy or blocked client under test does not slow the proxy down; nothing blocks on those threads. It uses the
 * JDK's NIO transport, not the native epoll one: on a sandboxed kernel (gVisor) about one epoll connect to the
 * target in a hundred failed with {@code NotYetConnectedException}, which the proxy then had to pass on to its
 * client as a reset, a fault nobody asked for. The methods of this class block the caller until the change is
 * in effect; do not call them on an event-loop thread.
 */
public final class FaultProxy implements AutoCloseable {

    /** What the proxy does with traffic; see the class description. */
    public enum Mode {
        /** Forward bytes as they come. */
        PASS_THROUGH,
        /** Forward each chunk of bytes a fixed time after it arrived. */
        LATENCY,
        /** Do not listen: new connections are refused; open ones are forwarded. */
        REFUSE,
        /** Accept and hold connections; forward nothing; never reset or close. */
        BLACK_HOLE
    }

    private static final Logger LOG = LoggerFactory.getLogger(FaultProxy.class);
    private static final Duration CHANGE_TIMEOUT = Duration.ofSeconds(10);

    private final String targetHost;
    private final int targetPort;
    private final int port;
    private final LoopResources loops;
    private final TcpClient target;
    private final Set<ProxiedConnection> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong accepted = new AtomicLong();
    private volatile FaultState state = FaultState.passThrough();
    private DisposableServer listener;
    private boolean closed;

    private FaultProxy(String targetHost, int targetPort) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.port = FreePorts.next();
        this.loops = LoopResources.create("sluice-fault-proxy-" + port, 1, true);
        this.target = TcpClient.newConnection()
                .runOn(loops, false)
                .host(targetHost)
                .port(targetPort)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
    }

    /**
     * Starts a proxy in pass-through mode on a free port of 127.0.0.1, forwarding to {@code targetHost:targetPort}.
     * Blocks until it listens. Nothing connects to the target until a client connects to the proxy.
     *
     * @return the running proxy; the caller closes it
     * @throws IllegalArgumentException when {@code targetPort} is not a TCP port number
     * @throws IllegalStateException    when the proxy cannot listen
     */
    public static FaultProxy start(String targetHost, int targetPort) {
        Objects.requireNonNull(targetHost, "targetHost");
        if (targetPort < 1 || targetPort > 65535) {
            throw new IllegalArgumentException("targetPort must be 1..65535, was " + targetPort);
        }
        FaultProxy proxy = new FaultProxy(targetHost, targetPort);
        try {
            synchronized (proxy) {
                proxy.listener = proxy.listen();
            }
            return proxy;
        } catch (RuntimeException e) {
            proxy.close();
            throw e;
        }
    }

    /** Where clients connect: {@code 127.0.0.1}. */
    public String host() {
        return "127.0.0.1";
    }

    /** The proxy's port on {@link #host()}; it stays the same in every mode. */
    public int port() {
        return port;
    }

    /** The current mode. */
    public Mode mode() {
        return state.mode();
    }

    /** The added latency in {@link Mode#LATENCY}, else zero. */
    public Duration latency() {
        return state.latency();
    }

    /** How many connections the proxy has accepted since it started (refused ones are not counted). */
    public long acceptedConnections() {
        return accepted.get();
    }

    /** How many accepted client connections are open now (held ones included). */
    public int openConnections() {
        return open.size();
    }

    /**
     * Forwards bytes as they come, for new and open connections; listens again if it was refusing, and delivers
     * what a black hole held.
     *
     * @throws IllegalStateException when the proxy is closed, or cannot listen on its port again
     */
    public synchronized void passThrough() {
        switchTo(FaultState.passThrough());
    }

    /**
     * Delays every chunk of bytes, in both directions and on new and open connections, so that it is forwarded
     * {@code latency} after it arrived; the order of bytes is kept. A request-response round trip through the
     * proxy then takes at least {@code 2 × latency}.
     *
     * @throws IllegalArgumentException when {@code latency} is not positive
     * @throws IllegalStateException    when the proxy is closed, or cannot listen on its port again
     */
    public synchronized void addLatency(Duration latency) {
        if (latency == null || latency.isNegative() || latency.isZero()) {
            throw new IllegalArgumentException("latency must be positive, was " + latency);
        }
        switchTo(FaultState.latency(latency));
    }

    /**
     * Stops listening: new connections to {@link #port()} are refused by the operating system, as when a server
     * is down. Open connections are forwarded as in pass-through. Blocks until the port is closed. Any other mode
     * listens on the same port again (should another process have taken the port meanwhile, that switch fails).
     *
     * @throws IllegalStateException when the proxy is closed
     */
    public synchronized void refuseNewConnections() {
        switchTo(FaultState.refuse());
    }

    /**
     * Holds every connection, new and open: nothing is forwarded in either direction, and the proxy neither
     * resets nor closes anything (a client closing its own side is still noticed). Clients see silence until
     * their own timeouts fire. Leaving this mode delivers what was held.
     *
     * @throws IllegalStateException when the proxy is closed, or cannot listen on its port again
     */
    public synchronized void blackHole() {
        if (state.mode() != Mode.BLACK_HOLE) {
            switchTo(FaultState.blackHole());
        }
    }

    /**
     * Resets every open connection on both sides (TCP RST: {@code SO_LINGER} 0, then close): the client's next
     * read or write fails with an I/O error such as "Connection reset", and the server sees the same. The mode
     * does not change. Blocks until every such connection is closed.
     *
     * @return how many client connections were reset
     * @throws IllegalStateException when they are not all closed within 10 s
     */
    public int resetConnections() {
        List<ProxiedConnection> current = List.copyOf(open);
        Flux.fromIterable(current).flatMap(ProxiedConnection::reset).then().block(CHANGE_TIMEOUT);
        return current.size();
    }

    /**
     * Stops listening (connects to the port are refused when this returns), closes every connection (FIN) and
     * releases the proxy's threads. Blocking; idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (listener != null) {
                stopListening();
            }
            Flux.fromIterable(List.copyOf(open)).flatMap(ProxiedConnection::close).then().block(CHANGE_TIMEOUT);
        } finally {
            FaultState last = state;
            state = FaultState.passThrough();
            last.heal();
            loops.disposeLater(Duration.ZERO, CHANGE_TIMEOUT).block(CHANGE_TIMEOUT.multipliedBy(2));
        }
    }

    @Override
    public String toString() {
        return "FaultProxy[127.0.0.1:" + port + " -> " + targetHost + ":" + targetPort + ", " + state.mode()
                + (state.mode() == Mode.LATENCY ? " " + state.latency().toMillis() + " ms" : "") + "]";
    }

    private void switchTo(FaultState next) {
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
        boolean listen = next.mode() != Mode.REFUSE;
        if (listen && listener == null) {
            listener = listen();
        } else if (!listen && listener != null) {
            stopListening();
        }
        FaultState previous = state;
        state = next;
        previous.heal();
        LOG.debug("{} now {}", this, next.mode());
    }

    /**
     * Closes the listening socket and returns once a connect to the port is refused. On the NIO transport a closed
     * channel's socket is released by its selector a moment later, and until then the kernel still completes
     * connects (which are then reset): a probe connect that succeeds in that moment is never accepted by the proxy.
     */
    private void stopListening() {
        listener.disposeNow(CHANGE_TIMEOUT);
        listener = null;
        long deadline = System.nanoTime() + CHANGE_TIMEOUT.toNanos();
        while (true) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress(host(), port), (int) CHANGE_TIMEOUT.toMillis());
            } catch (ConnectException refused) {
                return;
            } catch (IOException stillThere) {
                // a timeout or reset: the port is not refusing yet
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(this + ": port " + port + " still accepts connections "
                        + CHANGE_TIMEOUT.toSeconds() + " s after the proxy stopped listening; another process may have taken it");
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    private DisposableServer listen() {
        try {
            return TcpServer.create()
                    .runOn(loops, false)
                    .host(host())
                    .port(port)
                    .handle(this::relay)
                    .bindNow(CHANGE_TIMEOUT);
        } catch (RuntimeException e) {
            throw new IllegalStateException("the fault proxy could not listen on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
    }

    /**
     * Serves one accepted client: waits while the network is black-holed, connects to the target, then relays
     * bytes both ways until either side ends. Completing this publisher closes the client's connection.
     */
    private Publisher<Void> relay(NettyInbound clientIn, NettyOutbound clientOut) {
        AtomicReference<Connection> client = new AtomicReference<>();
        clientIn.withConnection(client::set);
        ProxiedConnection link = new ProxiedConnection(client.get());
        accepted.incrementAndGet();
        open.add(link);
        link.client().onDispose(() -> open.remove(link));

        Mono<Void> relayed = FaultState.whenOpen(() -> state)
                .then(target.connect())
                .flatMap(server -> {
                    link.attach(server);
                    Mono<Void> toServer = server.outbound().send(gated(clientIn)).then();
                    Mono<Void> toClient = clientOut.send(gated(server.inbound())).then();
                    return Mono.firstWithSignal(toServer, toClient).doFinally(signal -> server.dispose());
                })
                .onErrorResume(failure -> {
                    LOG.debug("{}: relay ended", this, failure);
                    return link.reset();
                });
        return Mono.firstWithSignal(relayed, link.client().onDispose());
    }

    private Flux<ByteBuf> gated(NettyInbound from) {
        return from.receive().retain()
                .map(FaultState.Chunk::arrived)
                .concatMap(chunk -> FaultState.forward(chunk, () -> state))
                .map(FaultState.Chunk::bytes)
                .doOnDiscard(FaultState.Chunk.class, FaultState.Chunk::release);
    }
}
