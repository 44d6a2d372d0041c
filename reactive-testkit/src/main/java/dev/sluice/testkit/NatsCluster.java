package dev.sluice.testkit;

import dev.sluice.testkit.internal.FreePorts;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A cluster of {@code nats-server -js} processes on loopback ports, for JetStream fault tests: every node
 * routes to every other, so a replicated stream or bucket survives the loss of a minority of nodes.
 *
 * <p>All ports (client, cluster route, HTTP monitoring) are chosen once, before the first node starts, and
 * never change: a node that is stopped or killed comes back with {@link #rejoin(int)} under the same name, on
 * the same ports and with the same JetStream store, as a real server restarting after a crash would.
 *
 * <p>Readiness is nats-server's own verdict: {@code GET /healthz} on each node's monitoring port, which answers
 * 200 only when the node is in contact with, and current with, the JetStream meta leader, and every stream and
 * consumer replica placed on it is current.
 *
 * <p>Blocking API, meant for test set-up; not for use on event-loop threads. {@link #close()} stops every node
 * and removes every store; nodes are also stopped if the JVM is killed (see {@link EmbeddedNats}).
 *
 * <p>Note for tests: nats-server 2.9.10 (Debian's) has a compare-and-set race on buckets with more than one
 * replica (fixed in 2.9.21), so compare-and-set tests belong on single-replica buckets.
 */
public final class NatsCluster implements AutoCloseable {

    /** How long {@link #start(int)} and {@link #rejoin(int)} wait for readiness. */
    public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(30);

    private final String name;
    private final List<EmbeddedNats> nodes;
    private boolean closed;

    private NatsCluster(String name, List<EmbeddedNats> nodes) {
        this.name = name;
        this.nodes = List.copyOf(nodes);
    }

    /** Starts a cluster of {@code size} nodes and waits up to {@link #DEFAULT_READY_TIMEOUT} for it to be ready. */
    public static NatsCluster start(int size) {
        return start(size, DEFAULT_READY_TIMEOUT);
    }

    /**
     * Starts a cluster of {@code size} nodes named {@code <cluster>-n0}, {@code <cluster>-n1}, ... and blocks until
     * every node is healthy: JetStream has elected a meta leader and every node is current with it.
     *
     * @param size    number of nodes, at least 2 (3 for streams with 3 replicas)
     * @param timeout how long to wait for the cluster to become ready
     * @return the running cluster; the caller closes it
     * @throws IllegalArgumentException when {@code size} is below 2
     * @throws IllegalStateException    when a node does not start or the cluster is not ready in time (the message
     *                                  carries each node's health answer); nothing is left running then
     */
    public static NatsCluster start(int size, Duration timeout) {
        if (size < 2) {
            throw new IllegalArgumentException("a NATS cluster needs at least 2 nodes, was " + size);
        }
        List<Integer> clientPorts = new ArrayList<>();
        List<Integer> routePorts = new ArrayList<>();
        List<Integer> monitorPorts = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            clientPorts.add(FreePorts.next());
            routePorts.add(FreePorts.next());
            monitorPorts.add(FreePorts.next());
        }
        String name = "sluice-" + clientPorts.get(0);
        List<EmbeddedNats> nodes = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            List<String> routes = new ArrayList<>();
            for (int j = 0; j < size; j++) {
                if (j != i) {
                    routes.add("nats://127.0.0.1:" + routePorts.get(j));
                }
            }
            nodes.add(EmbeddedNats.builder()
                    .serverName(name + "-n" + i)
                    .port(clientPorts.get(i))
                    .cluster(name, routePorts.get(i))
                    .routes(routes)
                    .monitorPort(monitorPorts.get(i))
                    .build());
        }
        NatsCluster cluster = new NatsCluster(name, nodes);
        try {
            nodes.forEach(EmbeddedNats::startProcess);
            cluster.awaitHealthy(timeout);
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** The cluster name ({@code --cluster_name}). */
    public String name() {
        return name;
    }

    /** Number of nodes, running or not. */
    public int size() {
        return nodes.size();
    }

    /** All nodes, in index order, running or not. */
    public List<EmbeddedNats> nodes() {
        return nodes;
    }

    /**
     * One node.
     *
     * @throws IndexOutOfBoundsException when there is no node {@code index}
     */
    public EmbeddedNats node(int index) {
        return nodes.get(index);
    }

    /**
     * The client URLs of all nodes, comma-separated ({@code nats://127.0.0.1:p0,nats://127.0.0.1:p1,...}), the
     * form jnats' {@code Nats.connect(String)} and {@code NATS_SERVERS} accept. A client given all of them
     * reconnects to a surviving node when its node goes away.
     */
    public String urls() {
        return nodes.stream().map(EmbeddedNats::url).collect(Collectors.joining(","));
    }

    /** Kills node {@code index} at once (SIGKILL), as a crash would; its store is kept for {@link #rejoin(int)}. */
    public void kill(int index) {
        node(index).kill();
    }

    /** Stops node {@code index} gracefully (SIGTERM); its store is kept for {@link #rejoin(int)}. */
    public void stop(int index) {
        node(index).stop();
    }

    /** Starts node {@code index} again and waits up to {@link #DEFAULT_READY_TIMEOUT} until it has rejoined. */
    public void rejoin(int index) {
        rejoin(index, DEFAULT_READY_TIMEOUT);
    }

    /**
     * Starts a stopped or killed node again with the same name, ports and store, and blocks until it has
     * rejoined: it accepts clients and its {@code /healthz} answers 200 (current with the meta leader, and its
     * stream and consumer replicas caught up). Does nothing but wait when the node is already running.
     *
     * @throws IllegalStateException when it does not become healthy within {@code timeout}
     */
    public void rejoin(int index, Duration timeout) {
        EmbeddedNats node = node(index);
        node.startProcess();
        awaitHealthy(List.of(node), timeout);
    }

    /**
     * Blocks until every running node answers {@code /healthz} with 200.
     *
     * @throws IllegalStateException naming each node's last health answer when that does not happen within
     *                               {@code timeout}
     */
    public void awaitHealthy(Duration timeout) {
        awaitHealthy(nodes.stream().filter(EmbeddedNats::isRunning).toList(), timeout);
    }

    /** Stops every node and removes their stores and logs. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (EmbeddedNats node : nodes) {
            node.close();
        }
    }

    @Override
    public String toString() {
        return "NatsCluster[" + name + " " + urls() + "]";
    }

    private static void awaitHealthy(List<EmbeddedNats> targets, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> answers = new ArrayList<>();
        while (true) {
            answers.clear();
            boolean allHealthy = true;
            for (EmbeddedNats node : targets) {
                NatsHealth health = NatsHealth.probe(node.monitorUrl());
                allHealthy &= health.healthy();
                answers.add(node.serverName() + ": " + health.detail());
            }
            if (allHealthy) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("NATS cluster not healthy within " + timeout.toMillis() + " ms: " + answers);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the NATS cluster", e);
            }
        }
    }
}
