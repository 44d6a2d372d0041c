package dev.sluice.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit Jupiter extension that hands tests real servers.
 *
 * <p>Declare {@code @ExtendWith(SluiceExtension.class)} and take parameters (in constructors, lifecycle
 * methods or test methods) of type:
 * <ul>
 *   <li>{@link PostgresServer}: the shared server of this JVM (see {@link SluiceServers});</li>
 *   <li>{@link TestDatabase}: a fresh database of that server, one per test class, dropped when the class ends;</li>
 *   <li>{@link NatsServer}: the shared NATS server with JetStream; use {@link NatsServer#uniqueName(String)} for buckets.</li>
 * </ul>
 */
public final class SluiceExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SluiceExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == PostgresServer.class || type == TestDatabase.class || type == NatsServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        if (type == PostgresServer.class) {
            return SluiceServers.postgres();
        }
        if (type == NatsServer.class) {
            return SluiceServers.nats();
        }
        ExtensionContext classContext = context.getTestMethod().isPresent() ? context.getParent().orElseThrow() : context;
        String label = classContext.getTestClass().map(Class::getSimpleName).orElse("test");
        return classContext.getStore(NAMESPACE)
                .computeIfAbsent(TestDatabase.class, key -> new ClassDatabase(SluiceServers.postgres(), label), ClassDatabase.class)
                .database;
    }

    /** A database that lives as long as its test class: JUnit closes it when the class's store is closed. */
    private static final class ClassDatabase implements AutoCloseable {
        private final PostgresServer server;
        private final TestDatabase database;

        ClassDatabase(PostgresServer server, String label) {
            this.server = server;
            this.database = server.createDatabase(label);
        }

        @Override
        public void close() {
            server.dropDatabase(database);
        }
    }
}
