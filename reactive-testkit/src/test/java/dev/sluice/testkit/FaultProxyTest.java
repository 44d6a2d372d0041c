package dev.sluice.testkit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class FaultProxyTest {

    private static PostgresServer server;
    private static TestDatabase direct;
    private static ExecutorService timeouts;

    private FaultProxy proxy;
    private TestDatabase proxied;

    @BeforeAll
    static void createDatabase() {
        server = SluiceServers.postgres();
        direct = server.createDatabase("faultproxy");
        timeouts = Executors.newCachedThreadPool();
    }

    @AfterAll
    static void dropDatabase() {
        server.dropDatabase(direct);
        timeouts.shutdownNow();
    }

    @BeforeEach
    void startProxy() {
        proxy = FaultProxy.start(direct.host(), direct.port());
        proxied = direct.at(proxy.host(), proxy.port());
    }

    @AfterEach
    void closeProxy() {
        proxy.close();
    }

    @Test
    void passThroughCarriesAJdbcSession() throws SQLException {
        try (Connection c = PostgresServer.openJdbc(proxied)) {
            assertThat(selectOne(c)).isEqualTo(1);
            assertThat(proxy.mode()).isEqualTo(FaultProxy.Mode.PASS_THROUGH);
            assertThat(proxy.acceptedConnections()).isEqualTo(1);
            assertThat(proxy.openConnections()).isEqualTo(1);
        }
        awaitOpenConnections(0);
    }

    @Test
    void latencyDelaysEachDirectionOfARoundTrip() throws SQLException {
        Duration latency = Duration.ofMillis(100);
        try (Connection c = PostgresServer.openJdbc(proxied)) {
            selectOne(c);

            proxy.addLatency(latency);

            long start = System.nanoTime();
            assertThat(selectOne(c)).isEqualTo(1);
            Duration roundTrip = Duration.ofNanos(System.nanoTime() - start);
            assertThat(roundTrip).isGreaterThanOrEqualTo(latency.multipliedBy(2));
            assertThat(proxy.mode()).isEqualTo(FaultProxy.Mode.LATENCY);
            assertThat(proxy.latency()).isEqualTo(latency);
        }
        try (Connection c = PostgresServer.openJdbc(proxied)) {
            assertThat(selectOne(c)).as("a new connection works under latency").isEqualTo(1);
        }
    }

    @Test
    void refuseMakesNewConnectsFailWhileOpenOnesAndTheServerAreFine() throws SQLException {
        try (Connection before = PostgresServer.openJdbc(proxied)) {
            proxy.refuseNewConnections();

            SQLException refused = catchThrowableOfType(SQLException.class, () -> PostgresServer.openJdbc(proxied).close());
            assertThat(refused.getSQLState()).isEqualTo("08001");
            assertThat(rootCause(refused)).isInstanceOf(ConnectException.class);
            assertThat(proxy.acceptedConnections()).isEqualTo(1);
            assertThat(selectOne(before)).as("an open connection is still forwarded").isEqualTo(1);
            try (Connection bypass = PostgresServer.openJdbc(direct)) {
                assertThat(selectOne(bypass)).isEqualTo(1);
            }

            proxy.passThrough();

            try (Connection after = PostgresServer.openJdbc(proxied)) {
                assertThat(selectOne(after)).isEqualTo(1);
            }
            assertThat(proxy.acceptedConnections()).isEqualTo(2);
        }
    }

    @Test
    void resetMakesTheNextQueryOnAnOpenConnectionFailWithAnIoError() throws SQLException {
        try (Connection c = PostgresServer.openJdbc(proxied)) {
            selectOne(c);

            assertThat(proxy.resetConnections()).isEqualTo(1);

            SQLException failed = catchThrowableOfType(SQLException.class, () -> selectOne(c));
            assertThat(failed.getSQLState()).startsWith("08");
            assertThat(failed.getMessage()).contains("I/O error");
            assertThat(rootCause(failed)).as("a TCP reset, not a close").isInstanceOf(SocketException.class).hasMessageContaining("reset");
            assertThat(proxy.openConnections()).isZero();
        }
        try (Connection c = PostgresServer.openJdbc(proxied)) {
            assertThat(selectOne(c)).as("new connections are forwarded after a reset").isEqualTo(1);
        }
    }

    @Test
    void resetSendsRstSoAReaderSeesConnectionResetNotEndOfStream() throws Exception {
        try (Socket raw = new Socket(proxy.host(), proxy.port())) {
            raw.setSoTimeout(5000);
            awaitOpenConnections(1);

            proxy.resetConnections();

            assertThatThrownBy(() -> raw.getInputStream().read())
                    .isInstanceOf(SocketException.class)
                    .hasMessageContaining("Connection reset");
        }
    }

    @Test
    void blackHoleHangsOpenAndNewConnectionsUntilTheirTimeoutsAndPassThroughHeals() throws SQLException {
        int timeoutMillis = 1000;
        try (Connection open = PostgresServer.openJdbc(proxied)) {
            selectOne(open);

            proxy.blackHole();

            open.setNetworkTimeout(timeouts, timeoutMillis);
            long start = System.nanoTime();
            SQLException hung = catchThrowableOfType(SQLException.class, () -> selectOne(open));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(timeoutMillis));
            assertThat(rootCause(hung)).isInstanceOf(SocketTimeoutException.class);

            long acceptedBefore = proxy.acceptedConnections();
            start = System.nanoTime();
            SQLException handshake = catchThrowableOfType(SQLException.class, () -> connectWithTimeouts(proxied, 1).close());
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
            assertThat(rootCause(handshake)).isInstanceOf(SocketTimeoutException.class);
            assertThat(proxy.acceptedConnections()).as("the TCP connection was accepted, then held").isEqualTo(acceptedBefore + 1);
        }

        proxy.passThrough();

        try (Connection healed = PostgresServer.openJdbc(proxied)) {
            assertThat(selectOne(healed)).isEqualTo(1);
        }
    }

    @Test
    void closedProxyRefusesConnectionsAndCannotBeSwitched() {
        int port = proxy.port();
        proxy.close();

        assertThatThrownBy(() -> new Socket(proxy.host(), port).close()).isInstanceOf(ConnectException.class);
        assertThatThrownBy(() -> proxy.passThrough()).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static int selectOne(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /**
     * A JDBC connection whose TCP connect and every read (the startup handshake included) time out after
     * {@code seconds}; without SSL, so that the driver makes one attempt instead of retrying without SSL.
     */
    private static Connection connectWithTimeouts(TestDatabase database, int seconds) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", database.user());
        props.setProperty("password", database.password());
        props.setProperty("connectTimeout", String.valueOf(seconds));
        props.setProperty("socketTimeout", String.valueOf(seconds));
        props.setProperty("sslmode", "disable");
        return DriverManager.getConnection(database.jdbcUrl(), props);
    }

    private void awaitOpenConnections(int expected) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (proxy.openConnections() != expected && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        assertThat(proxy.openConnections()).isEqualTo(expected);
    }
}
