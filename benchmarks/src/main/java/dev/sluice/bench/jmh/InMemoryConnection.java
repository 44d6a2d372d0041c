package dev.sluice.bench.jmh;

import io.r2dbc.spi.Batch;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionMetadata;
import io.r2dbc.spi.IsolationLevel;
import io.r2dbc.spi.Statement;
import io.r2dbc.spi.TransactionDefinition;
import io.r2dbc.spi.ValidationDepth;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

import java.time.Duration;

/**
 * A connection of {@link InMemoryConnectionFactory}: always valid, always in auto-commit, closed at once. Transaction
 * calls complete without doing anything; statements and batches are refused, since no benchmark runs one.
 */
final class InMemoryConnection implements Connection {

    private static final ConnectionMetadata METADATA = new ConnectionMetadata() {
        @Override
        public String getDatabaseProductName() {
            return "in-memory";
        }

        @Override
        public String getDatabaseVersion() {
            return "1";
        }
    };

    private final int id;

    InMemoryConnection(int id) {
        this.id = id;
    }

    @Override
    public Publisher<Void> beginTransaction() {
        return Mono.empty();
    }

    @Override
    public Publisher<Void> beginTransaction(TransactionDefinition definition) {
        return Mono.empty();
    }

    @Override
    public Publisher<Void> close() {
        return Mono.empty();
    }

    @Override
    public Publisher<Void> commitTransaction() {
        return Mono.empty();
    }

    @Override
    public Batch createBatch() {
        throw new UnsupportedOperationException("in-memory connections run no statements");
    }

    @Override
    public Publisher<Void> createSavepoint(String name) {
        return Mono.empty();
    }

    @Override
    public Statement createStatement(String sql) {
        throw new UnsupportedOperationException("in-memory connections run no statements");
    }

    @Override
    public boolean isAutoCommit() {
        return true;
    }

    @Override
    public ConnectionMetadata getMetadata() {
        return METADATA;
    }

    @Override
    public IsolationLevel getTransactionIsolationLevel() {
        return IsolationLevel.READ_COMMITTED;
    }

    @Override
    public Publisher<Void> releaseSavepoint(String name) {
        return Mono.empty();
    }

    @Override
    public Publisher<Void> rollbackTransaction() {
        return Mono.empty();
    }

    @Override
    public Publisher<Void> rollbackTransactionToSavepoint(String name) {
        return Mono.empty();
    }

    @Override
    public Publisher<Void> setAutoCommit(boolean autoCommit) {
        return Mono.empty();
    }

    @Override
    public Publisher<Void> setLockWaitTimeout(Duration timeout) {
        return Mono.empty();
    }

    @Override
    public Publisher<Void> setStatementTimeout(Duration timeout) {
        return Mono.empty();
    }

    @Override
    public Publisher<Void> setTransactionIsolationLevel(IsolationLevel isolationLevel) {
        return Mono.empty();
    }

    @Override
    public Publisher<Boolean> validate(ValidationDepth depth) {
        return Mono.just(true);
    }

    @Override
    public String toString() {
        return "InMemoryConnection[" + id + "]";
    }
}
