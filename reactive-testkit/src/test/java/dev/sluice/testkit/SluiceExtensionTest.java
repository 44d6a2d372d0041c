package dev.sluice.testkit;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(SluiceExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SluiceExtensionTest {

    private static String firstDatabase;

    @Test
    @Order(1)
    void injectsADatabaseOfItsOwn(TestDatabase db, PostgresServer server, NatsServer nats) {
        firstDatabase = db.database();
        assertThat(db.database()).startsWith("sluice_sluiceextensiontest_");
        assertThat(db.port()).isEqualTo(server.port());
        PostgresServer.execute(db, "CREATE TABLE visits (n int)");
        assertThat(nats.url()).startsWith("nats://");
    }

    @Test
    @Order(2)
    void theDatabaseLastsForTheWholeClass(TestDatabase db) {
        assertThat(db.database()).isEqualTo(firstDatabase);
        assertThat(PostgresServer.queryString(db, "SELECT to_regclass('visits')::text")).isEqualTo("visits");
    }
}
