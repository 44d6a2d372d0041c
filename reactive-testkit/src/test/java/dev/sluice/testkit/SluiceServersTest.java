package dev.sluice.testkit;

import io.nats.client.Connection;
import io.nats.client.Nats;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SluiceServersTest {

    @Test
    void userServersNamedByUrlAreUsedAsTheyAre() throws Exception {
        TestDatabase shared = SluiceServers.postgres().adminDatabase();
        PostgresServer external = SluiceServers.choosePostgres(Map.of("SLUICE_PG_URL", shared.postgresUrl()));
        assertThat(external.source()).isEqualTo(ServerSource.EXTERNAL);
        assertThat(external.port()).isEqualTo(shared.port());
        assertThat(external.version()).isEqualTo(SluiceServers.postgres().version());

        NatsServer nats = SluiceServers.chooseNats(Map.of("SLUICE_NATS_URL", SluiceServers.nats().url()));
        assertThat(nats.source()).isEqualTo(ServerSource.EXTERNAL);
        try (Connection nc = Nats.connect(nats.url())) {
            assertThat(nc.getStatus()).isEqualTo(Connection.Status.CONNECTED);
        }
    }

    @Test
    void postgresUrlIsParsedWithEncodedCredentials() {
        TestDatabase db = SluiceServers.parsePostgresUrl("postgres://app%40corp:p%3Ass%2Fw@db.example:6543/orders");
        assertThat(db.user()).isEqualTo("app@corp");
        assertThat(db.password()).isEqualTo("p:ss/w");
        assertThat(db.host()).isEqualTo("db.example");
        assertThat(db.port()).isEqualTo(6543);
        assertThat(db.database()).isEqualTo("orders");
        assertThat(db.toString()).doesNotContain("p:ss/w");
    }

    @Test
    void malformedUrlsNameTheVariableAndNeverThePassword() {
        assertThatThrownBy(() -> SluiceServers.parsePostgresUrl("mysql://u:secret@h/db"))
                .hasMessageContaining("SLUICE_PG_URL").hasMessageContaining("postgresql://").hasMessageNotContaining("secret");
        assertThatThrownBy(() -> SluiceServers.parsePostgresUrl("postgresql://:secret@/db"))
                .hasMessageContaining("SLUICE_PG_URL").hasMessageNotContaining("secret");
        assertThatThrownBy(() -> SluiceServers.chooseNats(Map.of("SLUICE_NATS_URL", "http://localhost:4222")))
                .hasMessageContaining("SLUICE_NATS_URL").hasMessageContaining("nats://");
    }
}
