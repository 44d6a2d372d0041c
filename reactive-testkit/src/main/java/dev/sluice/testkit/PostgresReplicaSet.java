package dev.sluice.testkit;

import dev.sluice.testkit.internal.FreePorts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A dedicated embedded PostgreSQL primary with one or more streaming replicas (hot standbys) on loopback ports,
 * for routing, read-only and failover tests.
 *
 * <p>How it is built: the primary starts with {@link #REPLICATION_SETTINGS} and one physical replication slot
 * per replica, is stopped, and its data directory is copied cold (a consistent copy, since the server is down;
 * no {@code pg_basebackup} is needed, which matters because the system's may be older than the embedded
 * server). Each copy gets {@code standby.signal} and, in {@code postgresql.auto.conf}, a
 * {@code primary_conninfo} pointing at the primary and its own {@code primary_slot_name}; then the primary
 * starts again and each copy starts as an {@link EmbeddedPostgresServer} on its own port. The slots make the
 * primary keep the WAL a stopped replica has not received yet, so a replica started again always catches up.
 *
 * <p>Replicas are read-only: a write fails with SQLSTATE {@code 25006} (read_only_sql_transaction).
 * Replication is asynchronous: after a write on the primary, call {@link #awaitReplayed(Duration)} before
 * reading it on a replica.
 *
 * <p>Blocking API, meant for test set-up. {@link #close()} stops every server and removes every data
 * directory; the servers are also stopped if the JVM is killed (see {@link EmbeddedPostgresServer}).
 */
public final class PostgresReplicaSet implements AutoCloseable {

    /** Settings the primary and the replicas get, on top of {@link EmbeddedPostgresServer#DEFAULT_SETTINGS}. */
    public static final Map<String, String> REPLICATION_SETTINGS = Map.of(
            "wal_level", "replica",
            "max_wal_senders", "10",
            "max_replication_slots", "10",
            "hot_standby", "on");

    private static final Duration POLL_INTERVAL = Duration.ofMillis(20);

    private final EmbeddedPostgresServer primary;
    private final List<EmbeddedPostgresServer> replicas;
    private boolean closed;

    private PostgresReplicaSet(EmbeddedPostgresServer primary, List<EmbeddedPostgresServer> replicas) {
        this.primary = primary;
        this.replicas = List.copyOf(replicas);
    }

    /** Starts a primary with one replica. Blocking; see {@link Builder#start()}. */
    public static PostgresReplicaSet start() {
        return builder().start();
    }

    /** A builder for a primary with one replica and the default settings. */
    public static Builder builder() {
        return new Builder();
    }

    /** The primary, which accepts writes. */
    public EmbeddedPostgresServer primary() {
        return primary;
    }

    /** The first (or only) replica. */
    public EmbeddedPostgresServer replica() {
        return replica(0);
    }

    /**
     * One replica.
     *
     * @throws IndexOutOfBoundsException when there is no replica {@code index}
     */
    public EmbeddedPostgresServer replica(int index) {
        return replicas.get(index);
    }

    /** All replicas, in index order, running or not. */
    public List<EmbeddedPostgresServer> replicas() {
        return replicas;
    }

    /** Stops the first replica (fast shutdown); see {@link #stopReplica(int)}. */
    public void stopReplica() {
        stopReplica(0);
    }

    /**
     * Stops a replica with a fast shutdown: its sessions are disconnected and new connections are refused. The
     * primary keeps the WAL the replica has not received (its replication slot), for {@link #startReplica(int)}.
     */
    public void stopReplica(int index) {
        replica(index).stop();
    }

    /** Starts the first replica again; see {@link #startReplica(int)}. */
    public void startReplica() {
        startReplica(0);
    }

    /**
     * Starts a stopped replica again on the same port and data, and blocks until it accepts read-only
     * connections (up to 60 s). It then streams from the primary again and catches up with the writes it missed;
     * use {@link #awaitReplayed(Duration)} to wait for that.
     *
     * @throws UncheckedIOException when the server does not start
     */
    public void startReplica(int index) {
        replica(index).startProcess();
    }

    /**
     * Blocks until every running replica has replayed the primary's WAL up to the primary's current write
     * position ({@code pg_current_wal_lsn()}, read when this method is called): every transaction committed on
     * the primary before the call is then visible on every running replica. Stopped replicas are not waited for.
     *
     * @return the WAL position waited for, in PostgreSQL's text form (for example {@code 0/3000148})
     * @throws IllegalStateException when the primary is not running, or a replica has not caught up within
     *                               {@code timeout} (the message carries its replication status)
     */
    public String awaitReplayed(Duration timeout) {
        if (!primary.isRunning()) {
            throw new IllegalStateException("the primary on port " + primary.port() + " is not running");
        }
        String target = PostgresServer.queryString(primary.server().adminDatabase(), "SELECT pg_current_wal_lsn()::text");
        long deadline = System.nanoTime() + timeout.toNanos();
        for (EmbeddedPostgresServer replica : replicas) {
            if (replica.isRunning()) {
                awaitReplayed(replica, target, deadline, timeout);
            }
        }
        return target;
    }

    /** Stops every server and removes every data directory. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException failure = null;
        for (EmbeddedPostgresServer server : replicas) {
            failure = closeCollecting(server, failure);
        }
        failure = closeCollecting(primary, failure);
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "PostgresReplicaSet[primary 127.0.0.1:" + primary.port() + ", replicas "
                + replicas.stream().map(r -> "127.0.0.1:" + r.port()).toList() + "]";
    }

    private static void awaitReplayed(EmbeddedPostgresServer replica, String target, long deadline, Duration timeout) {
        TestDatabase admin = replica.server().adminDatabase();
        try (Connection c = PostgresServer.openJdbc(admin);
             PreparedStatement replayed = c.prepareStatement(
                     "SELECT pg_last_wal_replay_lsn() >= ?::pg_lsn, pg_last_wal_replay_lsn()::text")) {
            replayed.setString(1, target);
            String lastReplayed = null;
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = replayed.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        return;
                    }
                    lastReplayed = rs.getString(2);
                }
                Thread.sleep(POLL_INTERVAL.toMillis());
            }
            throw new IllegalStateException("replica on port " + replica.port() + " did not replay up to " + target
                    + " within " + timeout.toMillis() + " ms (replayed up to " + lastReplayed + "; WAL receiver: "
                    + receiverStatus(admin) + ")");
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the replay position of the replica on port " + replica.port()
                    + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the replica on port " + replica.port(), e);
        }
    }

    private static String receiverStatus(TestDatabase replica) {
        try {
            String status = PostgresServer.queryString(replica,
                    "SELECT status || ' from ' || sender_host || ':' || sender_port FROM pg_stat_wal_receiver");
            return status == null ? "not running" : status;
        } catch (IllegalStateException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static RuntimeException closeCollecting(EmbeddedPostgresServer server, RuntimeException failure) {
        try {
            server.close();
            return failure;
        } catch (RuntimeException e) {
            if (failure == null) {
                return e;
            }
            failure.addSuppressed(e);
            return failure;
        }
    }

    /** Options for a replica set. */
    public static final class Builder {
        private final Map<String, String> settings = new LinkedHashMap<>();
        private int replicas = 1;

        private Builder() {
        }

        /**
         * How many replicas to start, at least 1 (default 1).
         *
         * @throws IllegalArgumentException when {@code count} is below 1 or above 8
         */
        public Builder replicas(int count) {
            if (count < 1 || count > 8) {
                throw new IllegalArgumentException("replicas must be 1..8, was " + count);
            }
            this.replicas = count;
            return this;
        }

        /**
         * Adds or overrides a server setting on the primary and on every replica (a hot standby needs settings
         * such as {@code max_connections} at least as high as its primary's, so they are kept equal).
         */
        public Builder setting(String name, String value) {
            settings.put(name, value);
            return this;
        }

        /**
         * Starts the primary and the replicas and blocks until every replica accepts read-only connections and
         * has replayed the primary's WAL as of the moment it started (typically a few seconds).
         *
         * @return the running set; the caller closes it
         * @throws IllegalStateException or {@link UncheckedIOException} when a server does not start or a replica
         *                               does not catch up within 60 s; nothing is left running then
         */
        public PostgresReplicaSet start() {
            Map<String, String> all = new LinkedHashMap<>(REPLICATION_SETTINGS);
            all.putAll(settings);
            EmbeddedPostgresServer.Builder primaryBuilder = EmbeddedPostgresServer.builder();
            all.forEach(primaryBuilder::setting);
            EmbeddedPostgresServer primary = primaryBuilder.start();
            List<EmbeddedPostgresServer> standbys = new ArrayList<>();
            try {
                for (int i = 0; i < replicas; i++) {
                    PostgresServer.execute(primary.server().adminDatabase(),
                            "SELECT pg_create_physical_replication_slot('" + slotName(i) + "', true)");
                }
                primary.stop();
                for (int i = 0; i < replicas; i++) {
                    Path copy = StandbyDataDirectory.copyOf(primary.dataDirectory(), primary.port(), slotName(i));
                    EmbeddedPostgresServer.Builder replicaBuilder = EmbeddedPostgresServer.builder()
                            .dataDirectory(copy)
                            .port(FreePorts.next());
                    all.forEach(replicaBuilder::setting);
                    standbys.add(replicaBuilder.build());
                }
                primary.startProcess();
                standbys.forEach(EmbeddedPostgresServer::startProcess);
                PostgresReplicaSet set = new PostgresReplicaSet(primary, standbys);
                set.awaitReplayed(Duration.ofSeconds(60));
                return set;
            } catch (RuntimeException e) {
                closeAfterFailure(primary, standbys, e);
                throw e;
            } catch (IOException e) {
                UncheckedIOException failure = new UncheckedIOException(
                        "could not copy the primary's data directory for a replica: " + e.getMessage(), e);
                closeAfterFailure(primary, standbys, failure);
                throw failure;
            }
        }

        private static void closeAfterFailure(EmbeddedPostgresServer primary, List<EmbeddedPostgresServer> standbys,
                                              RuntimeException failure) {
            standbys.forEach(server -> closeCollecting(server, failure));
            closeCollecting(primary, failure);
        }

        private static String slotName(int index) {
            return "sluice_replica_" + index;
        }
    }
}
