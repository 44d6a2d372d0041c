package dev.sluice.pool;

import io.netty.channel.ChannelException;
import io.r2dbc.spi.R2dbcBadGrammarException;
import io.r2dbc.spi.R2dbcDataIntegrityViolationException;
import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcPermissionDeniedException;
import io.r2dbc.spi.R2dbcRollbackException;
import io.r2dbc.spi.R2dbcTimeoutException;
import io.r2dbc.spi.R2dbcTransientResourceException;
import org.junit.jupiter.api.Test;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.netty.channel.AbortedException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

/** The classifier's rules on constructed errors; {@link SqlErrorClassifierServerTest} provokes real ones. */
class SqlErrorClassifierTest {

    @Test
    void sqlStateDeepInTheCauseChainDecides() {
        Throwable wrapped = new IllegalStateException("pool 'orders' cannot connect", new RuntimeException(
                new R2dbcDataIntegrityViolationException("duplicate key", "23505")));

        assertThat(SqlErrorClassifier.classify(wrapped)).isEqualTo(ErrorClass.CONSTRAINT);
        assertThat(SqlErrorClassifier.sqlState(wrapped)).contains("23505");
    }

    @Test
    void outermostClassifiableErrorDecides() {
        Throwable timeoutAroundRefusal = new R2dbcTimeoutException("gave up", new ConnectException("Connection refused"));
        Throwable serializationAroundIo = new R2dbcTransientResourceException("could not serialize", "40001", new IOException("reset"));

        assertThat(SqlErrorClassifier.classify(timeoutAroundRefusal)).isEqualTo(ErrorClass.TIMEOUT);
        assertThat(SqlErrorClassifier.classify(serializationAroundIo)).isEqualTo(ErrorClass.TRANSIENT_SERIALIZATION);
    }

    @Test
    void unlistedServerCodeLeavesTheDecisionToItsCauses() {
        Throwable internalAroundIo = new R2dbcException("internal error", "XX000", new ClosedChannelException()) { };

        assertThat(SqlErrorClassifier.classify(internalAroundIo)).isEqualTo(ErrorClass.CONNECTION);
        assertThat(SqlErrorClassifier.classify(new R2dbcException("internal error", "XX000") { })).isEqualTo(ErrorClass.UNKNOWN);
    }

    @Test
    void poolShutdownIsUnknownWhateverItWraps() {
        Throwable cancelled = new PoolShutdownException("pool 'orders' closed after its grace period",
                new R2dbcNonTransientResourceException("connection closed", "08006"));

        assertThat(SqlErrorClassifier.classify(cancelled)).isEqualTo(ErrorClass.UNKNOWN);
        assertThat(SqlErrorClassifier.classify(new RuntimeException(cancelled))).isEqualTo(ErrorClass.UNKNOWN);
        assertThat(SqlErrorClassifier.sqlState(cancelled)).as("the server's code is still reported").contains("08006");
    }

    @Test
    void poolExhaustionIsTimeout() {
        Throwable exhausted = new PoolExhaustedException("orders", 4, 4, 10, Duration.ofMillis(300), "no connection in time");

        assertThat(SqlErrorClassifier.classify(exhausted)).isEqualTo(ErrorClass.TIMEOUT);
        assertThat(SqlErrorClassifier.sqlState(exhausted)).isEmpty();
    }

    @Test
    void operationTimeoutsAreTimeout() {
        Throwable reactorTimeout = Mono.<Throwable>never().timeout(Duration.ofMillis(1)).onErrorResume(Mono::just).block();

        assertThat(reactorTimeout).isInstanceOf(TimeoutException.class);
        assertThat(SqlErrorClassifier.classify(reactorTimeout)).isEqualTo(ErrorClass.TIMEOUT);
        assertThat(SqlErrorClassifier.classify(new R2dbcTimeoutException("Connection acquisition timed out after 5000ms")))
                .isEqualTo(ErrorClass.TIMEOUT);
    }

    @Test
    void transportFailuresAreConnection() {
        List<Throwable> transport = List.of(
                new IOException("Connection reset by peer"),
                new ConnectException("Connection refused"),
                new ClosedChannelException(),
                new UnknownHostException("db.internal"),
                new SocketTimeoutException("Read timed out"),
                new UnresolvedAddressException(),
                new UncheckedIOException(new IOException("Broken pipe")),
                new ChannelException("channel failed"),
                AbortedException.beforeSend(),
                new R2dbcTransientResourceException("try again"),
                new R2dbcNonTransientResourceException("Connection unexpectedly closed"),
                new R2dbcNonTransientResourceException("Connection validation failed"));

        assertThat(transport).allSatisfy(error ->
                assertThat(SqlErrorClassifier.classify(error)).as("%s", error).isEqualTo(ErrorClass.CONNECTION));
    }

    @Test
    void nonTransientResourceErrorIsConnectionOnlyWhenTheConnectionIsGone() {
        assertThat(SqlErrorClassifier.classify(new R2dbcNonTransientResourceException("Unsupported codec")))
                .isEqualTo(ErrorClass.UNKNOWN);
    }

    @Test
    void r2dbcCategoriesWithoutSqlStateFollowTheirType() {
        assertThat(SqlErrorClassifier.classify(new R2dbcDataIntegrityViolationException("duplicate"))).isEqualTo(ErrorClass.CONSTRAINT);
        assertThat(SqlErrorClassifier.classify(new R2dbcBadGrammarException("bad grammar"))).isEqualTo(ErrorClass.SYNTAX);
        assertThat(SqlErrorClassifier.classify(new R2dbcPermissionDeniedException("denied"))).isEqualTo(ErrorClass.PERMISSION);
        assertThat(SqlErrorClassifier.classify(new R2dbcRollbackException("rolled back"))).isEqualTo(ErrorClass.UNKNOWN);
    }

    @Test
    void sqlStateWinsOverTheR2dbcCategory() {
        Throwable deadlockAsRollback = new R2dbcRollbackException("deadlock detected", "40P01");
        Throwable checkAsGrammar = new R2dbcBadGrammarException("check violated", "23514");

        assertThat(SqlErrorClassifier.classify(deadlockAsRollback)).isEqualTo(ErrorClass.TRANSIENT_DEADLOCK);
        assertThat(SqlErrorClassifier.classify(checkAsGrammar)).isEqualTo(ErrorClass.CONSTRAINT);
    }

    @Test
    void jdbcSqlStatesAreReadToo() {
        Throwable jdbc = new RuntimeException(new SQLException("deadlock detected", "40P01"));

        assertThat(SqlErrorClassifier.classify(jdbc)).isEqualTo(ErrorClass.TRANSIENT_DEADLOCK);
        assertThat(SqlErrorClassifier.sqlState(jdbc)).contains("40P01");
    }

    @Test
    void suppressedErrorsDecideOnlyInsideReactorComposites() {
        Throwable composite = Exceptions.multiple(new IllegalArgumentException("first"),
                new R2dbcTransientResourceException("could not serialize access", "40001"));
        Throwable bugWithFailedCleanup = new IllegalArgumentException("bug in the work");
        bugWithFailedCleanup.addSuppressed(new R2dbcNonTransientResourceException("connection closed", "08006"));

        assertThat(SqlErrorClassifier.classify(composite)).isEqualTo(ErrorClass.TRANSIENT_SERIALIZATION);
        assertThat(SqlErrorClassifier.sqlState(composite)).contains("40001");
        assertThat(SqlErrorClassifier.classify(bugWithFailedCleanup)).isEqualTo(ErrorClass.UNKNOWN);
        assertThat(SqlErrorClassifier.sqlState(bugWithFailedCleanup)).isEmpty();
    }

    @Test
    void blockingKeepsTheClassOfTheSignalledError() {
        Mono<Object> failing = Mono.delay(Duration.ofMillis(1)).then(Mono.error(new R2dbcDataIntegrityViolationException("duplicate key", "23505")));

        assertThatThrownBy(failing::block).satisfies(error -> {
            assertThat(error.getSuppressed()).as("Reactor records the blocking call site as suppressed").isNotEmpty();
            assertThat(SqlErrorClassifier.classify(error)).isEqualTo(ErrorClass.CONSTRAINT);
        });
    }

    @Test
    void cyclicCauseChainEndsTheSearch() {
        RuntimeException first = new RuntimeException("first");
        RuntimeException second = new RuntimeException("second", first);
        first.initCause(second);

        assertThat(SqlErrorClassifier.classify(first)).isEqualTo(ErrorClass.UNKNOWN);
        assertThat(SqlErrorClassifier.sqlState(first)).isEmpty();
    }

    @Test
    void errorsWithNothingKnownAreUnknown() {
        assertThat(SqlErrorClassifier.classify(new IllegalStateException("bug"))).isEqualTo(ErrorClass.UNKNOWN);
        assertThat(SqlErrorClassifier.sqlState(new IllegalStateException("bug"))).isEmpty();
        assertThat(SqlErrorClassifier.classify(new R2dbcException("blank state", " ") { })).isEqualTo(ErrorClass.UNKNOWN);
    }

    @Test
    void nullErrorIsRefused() {
        assertThatThrownBy(() -> SqlErrorClassifier.classify(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> SqlErrorClassifier.sqlState(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> SqlErrorClassifier.classifySqlState(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void unlistedCodesFallBackToTheirClassOrUnknown() {
        assertThat(SqlErrorClassifier.classifySqlState("23999")).isEqualTo(ErrorClass.CONSTRAINT);
        assertThat(SqlErrorClassifier.classifySqlState("08P99")).isEqualTo(ErrorClass.CONNECTION);
        assertThat(SqlErrorClassifier.classifySqlState("42P10")).isEqualTo(ErrorClass.SYNTAX);
        assertThat(SqlErrorClassifier.classifySqlState("25008")).isEqualTo(ErrorClass.SYNTAX);
        assertThat(SqlErrorClassifier.classifySqlState("40p01")).as("case does not matter").isEqualTo(ErrorClass.TRANSIENT_DEADLOCK);
        assertThat(SqlErrorClassifier.classifySqlState("40002")).isEqualTo(ErrorClass.UNKNOWN);
        assertThat(SqlErrorClassifier.classifySqlState("57P04")).isEqualTo(ErrorClass.UNKNOWN);
        assertThat(SqlErrorClassifier.classifySqlState("XX000")).isEqualTo(ErrorClass.UNKNOWN);
        assertThat(SqlErrorClassifier.classifySqlState("P0001")).isEqualTo(ErrorClass.UNKNOWN);
        assertThat(SqlErrorClassifier.classifySqlState("23")).as("a class alone is not a code").isEqualTo(ErrorClass.UNKNOWN);
    }

    @Test
    void tableHoldsTheCodesRetryAndRoutingDependOn() {
        assertThat(SqlErrorClassifier.knownCodes()).hasSizeGreaterThanOrEqualTo(15).contains(
                entry("40001", ErrorClass.TRANSIENT_SERIALIZATION),
                entry("40P01", ErrorClass.TRANSIENT_DEADLOCK),
                entry("08000", ErrorClass.CONNECTION), entry("08003", ErrorClass.CONNECTION),
                entry("08006", ErrorClass.CONNECTION), entry("08001", ErrorClass.CONNECTION),
                entry("08004", ErrorClass.CONNECTION), entry("08P01", ErrorClass.CONNECTION),
                entry("57P01", ErrorClass.CONNECTION), entry("57P02", ErrorClass.CONNECTION), entry("57P03", ErrorClass.CONNECTION),
                entry("23505", ErrorClass.CONSTRAINT), entry("23503", ErrorClass.CONSTRAINT), entry("23502", ErrorClass.CONSTRAINT),
                entry("23514", ErrorClass.CONSTRAINT), entry("23P01", ErrorClass.CONSTRAINT),
                entry("57014", ErrorClass.TIMEOUT), entry("55P03", ErrorClass.TIMEOUT),
                entry("42501", ErrorClass.PERMISSION), entry("28P01", ErrorClass.PERMISSION), entry("28000", ErrorClass.PERMISSION),
                entry("42601", ErrorClass.SYNTAX), entry("42P01", ErrorClass.SYNTAX), entry("42703", ErrorClass.SYNTAX),
                entry("42883", ErrorClass.SYNTAX), entry("22012", ErrorClass.SYNTAX), entry("22P02", ErrorClass.SYNTAX),
                entry("22001", ErrorClass.SYNTAX), entry("0A000", ErrorClass.SYNTAX),
                entry("53300", ErrorClass.RESOURCE), entry("53100", ErrorClass.RESOURCE), entry("53200", ErrorClass.RESOURCE),
                entry("25006", ErrorClass.PERMISSION), entry("25P02", ErrorClass.SYNTAX));
        assertThat(SqlErrorClassifier.knownCodeClasses()).contains(
                entry("08", ErrorClass.CONNECTION), entry("23", ErrorClass.CONSTRAINT), entry("28", ErrorClass.PERMISSION),
                entry("42", ErrorClass.SYNTAX), entry("22", ErrorClass.SYNTAX), entry("53", ErrorClass.RESOURCE),
                entry("54", ErrorClass.RESOURCE));
        assertThat(SqlErrorClassifier.knownCodes().keySet()).allSatisfy(code -> assertThat(code).matches("[0-9A-Z]{5}"));
        assertThatThrownBy(() -> SqlErrorClassifier.knownCodes().put("99999", ErrorClass.UNKNOWN))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void readmeTablesListExactlyTheKnownCodes() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int section = readme.indexOf("## Error classification");
        assertThat(section).as("README section 'Error classification'").isNotNegative();
        int next = readme.indexOf("\n## ", section + 1);
        Map<String, ErrorClass> codes = new LinkedHashMap<>();
        Map<String, ErrorClass> codeClasses = new LinkedHashMap<>();
        for (String line : readme.substring(section, next < 0 ? readme.length() : next).split("\n")) {
            String[] cells = line.split("\\|");
            if (!line.startsWith("| `") || cells.length < 4) {
                continue;
            }
            String code = cells[1].trim().replace("`", "");
            ErrorClass errorClass = ErrorClass.valueOf(cells[3].trim().replace("`", ""));
            (code.length() == 2 ? codeClasses : codes).put(code, errorClass);
        }
        assertThat(codes).isEqualTo(SqlErrorClassifier.knownCodes());
        assertThat(codeClasses).isEqualTo(SqlErrorClassifier.knownCodeClasses());
    }
}
