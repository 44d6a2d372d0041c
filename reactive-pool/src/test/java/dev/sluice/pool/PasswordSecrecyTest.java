package dev.sluice.pool;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.sluice.testkit.EmbeddedPostgresServer;
import dev.sluice.testkit.PostgresServer;
import dev.sluice.testkit.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The password appears nowhere: not in logs, not in toString(), not in error messages. */
class PasswordSecrecyTest {

    private static final String PASSWORD = "Tr0ub4dor-and-3";
    private static EmbeddedPostgresServer server;
    private static TestDatabase app;

    @BeforeAll
    static void serverWithPasswordAuthentication() {
        server = EmbeddedPostgresServer.builder()
                .setting("password_encryption", "scram-sha-256")
                .dataDirectoryCustomizer(dir -> {
                    try {
                        Files.writeString(dir.resolve("pg_hba.conf"),
                                "host all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n");
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                })
                .start();
        TestDatabase admin = server.server().adminDatabase();
        PostgresServer.execute(admin, "CREATE ROLE app LOGIN PASSWORD '" + PASSWORD + "'");
        app = new TestDatabase(admin.host(), admin.port(), "postgres", "app", PASSWORD);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void passwordIsNeverLoggedPrintedOrPutInErrors() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.classic.Level level = root.getLevel();
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        root.addAppender(captured);
        root.setLevel(ch.qos.logback.classic.Level.DEBUG);
        List<String> texts = new ArrayList<>();
        try {
            PgPoolConfig good = Pools.config("secret", app).maxConnections(1).acquireTimeout(Duration.ofMillis(300))
                    .leakDetectionThreshold(Duration.ofMillis(50)).build();
            PgPoolConfig wrong = Pools.config("wrong", app).password("not-" + PASSWORD).build();
            try (PoolRegistry registry = PoolRegistry.create(RegistryConfig.builder().pool(good).build())) {
                registry.start().block();
                PgPool pool = registry.pool("secret");
                assertThat(pool.query("SELECT current_user::text", r -> r.get(0, String.class)).blockLast()).isEqualTo("app");
                texts.add(good.toString());
                texts.add(pool.toString());
                texts.add(registry.toString());
                texts.add(registry.config().toString());

                var holder = pool.query("SELECT pg_sleep(1)", r -> 1).subscribe(v -> { }, e -> { });
                Pools.await("held", Duration.ofSeconds(3), () -> pool.stats().acquired() == 1);
                Throwable exhausted = catchError(() -> pool.query("SELECT 1", r -> 1).blockLast());
                assertThat(exhausted).isInstanceOf(PoolExhaustedException.class);
                texts.add(exhausted.toString());
                Pools.await("leak reported", Duration.ofSeconds(3), () -> pool.stats().leaks() >= 1);
                texts.add(pool.stats().toString());
                holder.dispose();
            }
            PgPool bad = PgPool.create(wrong);
            Throwable refused = catchError(() -> bad.query("SELECT 1", r -> 1).blockLast());
            assertThat(refused).hasMessageContaining("password authentication failed for user \"app\"");
            texts.add(stackOf(refused));
            texts.add(bad.toString());
            bad.stop().block();
            Throwable badUrl = catchError(() -> dev.sluice.testkit.SluiceServers.parsePostgresUrl("mysql://app:" + PASSWORD + "@h/db"));
            texts.add(stackOf(badUrl));
        } finally {
            root.detachAppender(captured);
            root.setLevel(level);
        }
        for (ILoggingEvent event : captured.list) {
            texts.add(event.getFormattedMessage());
            if (event.getThrowableProxy() != null) {
                texts.add(ThrowableProxyUtil.asString(event.getThrowableProxy()));
            }
        }
        assertThat(captured.list).as("the scenario produced log output to search").isNotEmpty();
        assertThat(texts).allSatisfy(text -> assertThat(text).doesNotContain(PASSWORD));
    }

    private static Throwable catchError(Runnable action) {
        try {
            action.run();
        } catch (Throwable t) {
            return t;
        }
        throw new AssertionError("expected an error");
    }

    private static String stackOf(Throwable t) {
        java.io.StringWriter w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }
}
