package dev.sluice.testkit;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FaultProxyNatsTest {

    private FaultProxy proxy;
    private String proxiedUrl;

    @BeforeEach
    void startProxy() {
        URI nats = URI.create(SluiceServers.nats().url());
        proxy = FaultProxy.start(nats.getHost(), nats.getPort());
        proxiedUrl = "nats://" + proxy.host() + ":" + proxy.port();
    }

    @AfterEach
    void closeProxy() {
        proxy.close();
    }

    @Test
    void natsRequestsPassThroughAndLatencyShowsInTheRoundTrip() throws Exception {
        try (Connection nc = Nats.connect(proxiedUrl)) {
            Dispatcher echo = nc.createDispatcher(msg -> nc.publish(msg.getReplyTo(), msg.getData()));
            echo.subscribe("echo");
            nc.flush(Duration.ofSeconds(5));
            Message reply = nc.request("echo", "ping".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5));
            assertThat(new String(reply.getData(), StandardCharsets.UTF_8)).isEqualTo("ping");

            Duration latency = Duration.ofMillis(100);
            proxy.addLatency(latency);

            assertThat(nc.RTT()).isGreaterThanOrEqualTo(latency.multipliedBy(2));
        }
    }

    @Test
    void resetIsSeenAsADisconnectAndTheClientReconnectsThroughTheProxy() throws Exception {
        BlockingQueue<ConnectionListener.Events> events = new LinkedBlockingQueue<>();
        Options options = new Options.Builder()
                .server(proxiedUrl)
                .reconnectWait(Duration.ofMillis(50))
                .maxReconnects(-1)
                .connectionListener((conn, event) -> events.add(event))
                .build();
        try (Connection nc = Nats.connect(options)) {
            assertThat(events.poll(5, TimeUnit.SECONDS)).isEqualTo(ConnectionListener.Events.CONNECTED);

            assertThat(proxy.resetConnections()).isEqualTo(1);

            assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo(ConnectionListener.Events.DISCONNECTED);
            assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo(ConnectionListener.Events.RECONNECTED);
            nc.flush(Duration.ofSeconds(5));
            assertThat(proxy.acceptedConnections()).isEqualTo(2);
        }
    }

    @Test
    void blackHoleHoldsANewConnectionAndHealingDeliversWhatWasHeld() throws Exception {
        proxy.blackHole();

        try (Socket raw = new Socket(proxy.host(), proxy.port())) {
            raw.setSoTimeout(500);
            BufferedReader fromServer = new BufferedReader(new InputStreamReader(raw.getInputStream(), StandardCharsets.US_ASCII));
            assertThatThrownBy(fromServer::readLine).as("the server's greeting is held").isInstanceOf(SocketTimeoutException.class);

            proxy.passThrough();

            raw.setSoTimeout(5000);
            assertThat(fromServer.readLine()).startsWith("INFO ");
        }
    }
}
