package dev.sluice.saga;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryMetadata;
import io.r2dbc.spi.Statement;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A driver in front of the real one that makes a process stop, for good, at the moments a crash test wants it
 * killed: the statements it holds are never sent and never complete, as if the process had died just before
 * sending them. It holds every {@code COMMIT PREPARED}, and, for the sagas given to {@link #freezeAfterPrepare},
 * every statement that names the saga (a bound UUID) once its {@code PREPARE TRANSACTION} has run.
 */
final class HeldStatements implements ConnectionFactory {

    private static final Pattern UUID_TEXT = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final ConnectionFactory driver;
    private final Set<UUID> toFreeze = ConcurrentHashMap.newKeySet();
    private final Set<UUID> frozen = ConcurrentHashMap.newKeySet();

    HeldStatements(ConnectionFactory driver) {
        this.driver = driver;
    }

    /** From the end of its {@code PREPARE TRANSACTION} on, nothing more is sent about {@code sagaId}. */
    void freezeAfterPrepare(UUID sagaId) {
        toFreeze.add(sagaId);
    }

    @Override
    public Publisher<? extends Connection> create() {
        return Mono.from(driver.create()).map(connection -> proxy(Connection.class, (method, args) -> {
            Object result = method.invoke(connection, args);
            return "createStatement".equals(method.getName()) ? statement((Statement) result, (String) args[0]) : result;
        }));
    }

    @Override
    public ConnectionFactoryMetadata getMetadata() {
        return driver.getMetadata();
    }

    private Statement statement(Statement statement, String sql) {
        List<Object> bound = new ArrayList<>();
        Statement[] self = new Statement[1];
        self[0] = proxy(Statement.class, (method, args) -> {
            if ("execute".equals(method.getName())) {
                if (holds(sql, bound)) {
                    return Flux.never();
                }
                Publisher<?> results = (Publisher<?>) method.invoke(statement, args);
                UUID prepared = sql.startsWith("PREPARE TRANSACTION") ? sagaIn(sql) : null;
                return prepared == null || !toFreeze.contains(prepared) ? results
                        : Flux.from(results).doOnComplete(() -> frozen.add(prepared));
            }
            if ("bind".equals(method.getName())) {
                bound.add(args[1]);
            }
            Object result = method.invoke(statement, args);
            return result == statement ? self[0] : result;
        });
        return self[0];
    }

    private boolean holds(String sql, List<Object> bound) {
        return sql.startsWith("COMMIT PREPARED") || bound.stream().anyMatch(value -> value instanceof UUID id && frozen.contains(id));
    }

    private static UUID sagaIn(String sql) {
        Matcher matcher = UUID_TEXT.matcher(sql);
        return matcher.find() ? UUID.fromString(matcher.group()) : null;
    }

    private interface Call {
        Object invoke(Method method, Object[] args) throws Exception;
    }

    private static <T> T proxy(Class<T> type, Call call) {
        InvocationHandler handler = (proxy, method, args) -> {
            switch (method.getName()) {
                case "equals" -> {
                    return proxy == args[0];
                }
                case "hashCode" -> {
                    return System.identityHashCode(proxy);
                }
                default -> {
                }
            }
            try {
                return call.invoke(method, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return type.cast(Proxy.newProxyInstance(HeldStatements.class.getClassLoader(), new Class<?>[]{type}, handler));
    }
}
