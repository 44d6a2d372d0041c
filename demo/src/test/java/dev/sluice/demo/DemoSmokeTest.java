package dev.sluice.demo;

import dev.sluice.testkit.NatsServer;
import dev.sluice.testkit.SluiceExtension;
import dev.sluice.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo end to end in a short run, on the testkit's servers. */
@ExtendWith(SluiceExtension.class)
class DemoSmokeTest {

    @Test
    void aShortRunShowsEveryPoolTheBucketAndASummaryAndEndsCleanly(TestDatabase db, NatsServer nats) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int status = Demo.run(new String[] {"--duration", "4s", "--port", "0", "--interval", "500ms"},
                Map.of("SLUICE_PG_URL", db.postgresUrl(), "SLUICE_NATS_URL", nats.url()), out, Mono.never());
        String output = bytes.toString(StandardCharsets.UTF_8);

        assertThat(status).as(output).isZero();
        assertThat(output).contains("PostgreSQL from SLUICE_PG_URL", "NATS from SLUICE_NATS_URL", "stream:   curl -N http://127.0.0.1:");
        assertThat(output.lines().filter(l -> l.matches("\\S+\\s+\\d+\\s+primary\\s+primary\\s+HEALTHY.*"))).isNotEmpty();
        assertThat(output.lines().filter(l -> l.matches("\\S+\\s+\\d+\\s+analytics\\s+analytics\\s+\\w+.*"))).isNotEmpty();
        assertThat(output).contains("kv sluice_demo_sessions ", "nats 0 ", "connected 1", "round.trip ");
        assertThat(output).as("the saga log's checks, wired by the demo, print like any other")
                .contains("saga.outbox sluice_demo_sagas.saga ", "undelivered ", "saga.intervention sluice_demo_sagas.saga ",
                        "saga.lease sluice_demo_sagas.saga ", "expired 0");
        assertThat(output).contains("── summary", "work: orders ", "alerts: ", "pool primary", "server: sessions of sluice-primary by state",
                "shut down: endpoint closed");
    }

    @Test
    void badOptionsPrintUsageAndExitWith2() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int status = Demo.run(new String[] {"--duration", "soon"}, Map.of(), new PrintStream(bytes, true, StandardCharsets.UTF_8), Mono.never());
        assertThat(status).isEqualTo(2);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("--duration 'soon' is not a duration", "usage: ./run demo");
    }
}
