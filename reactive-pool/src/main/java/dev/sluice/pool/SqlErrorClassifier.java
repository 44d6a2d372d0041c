package dev.sluice.pool;

import io.r2dbc.spi.R2dbcBadGrammarException;
import io.r2dbc.spi.R2dbcDataIntegrityViolationException;
import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcPermissionDeniedException;
import io.r2dbc.spi.R2dbcTimeoutException;
import io.r2dbc.spi.R2dbcTransientResourceException;
import reactor.core.Exceptions;

import java.io.IOException;
import java.nio.channels.UnresolvedAddressException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

import static dev.sluice.pool.ErrorClass.CONNECTION;
import static dev.sluice.pool.ErrorClass.CONSTRAINT;
import static dev.sluice.pool.ErrorClass.PERMISSION;
import static dev.sluice.pool.ErrorClass.RESOURCE;
import static dev.sluice.pool.ErrorClass.SYNTAX;
import static dev.sluice.pool.ErrorClass.TIMEOUT;
import static dev.sluice.pool.ErrorClass.TRANSIENT_DEADLOCK;
import static dev.sluice.pool.ErrorClass.TRANSIENT_SERIALIZATION;
import static dev.sluice.pool.ErrorClass.UNKNOWN;

/**
 * Decides the {@link ErrorClass} of an error from PostgreSQL, the R2DBC driver, the transport or the pool,
 * so retry policies and the circuit breaker can tell a lost race from a broken connection from a bug.
 *
 * <p>The SQLSTATE decides whenever there is one: first the exact code ({@link #knownCodes()}), then its
 * two-character class ({@link #knownCodeClasses()}). Errors without a SQLSTATE are classified by type:
 * <ul>
 *   <li>{@link PoolExhaustedException}: {@link ErrorClass#TIMEOUT}. The pool, not the server, ran out of
 *       time. It is not transient (more attempts would only lengthen the queue), and a circuit breaker that
 *       counts timeouts sees it, as it should: a server that stopped answering shows up first as
 *       connections that never come back to the pool. When it has a cause, the pool could not open a
 *       connection while the caller waited, and the cause's class decides ({@link ErrorClass#CONNECTION}
 *       for a refused or reset connect): the server, not the pool's size, stood in the way.</li>
 *   <li>{@link PoolShutdownException}: {@link ErrorClass#UNKNOWN}, and its causes are not looked at. The
 *       application is closing the pool: a retry on the same pool is refused again, and the server is not
 *       at fault, so nothing that measures the database's health should count it.</li>
 *   <li>{@link R2dbcTimeoutException} and {@link TimeoutException} (Reactor's {@code timeout()}): an
 *       operation ran out of time, {@link ErrorClass#TIMEOUT}.</li>
 *   <li>The transport: {@link IOException} (refused, reset, closed channel, unknown host, socket and
 *       connect timeouts), {@link UnresolvedAddressException}, Netty's {@code ChannelException} and
 *       Reactor Netty's {@code AbortedException}, {@link R2dbcTransientResourceException}, and
 *       {@link R2dbcNonTransientResourceException} whose message says the connection closed or failed:
 *       {@link ErrorClass#CONNECTION}. A timeout of the socket is a connection failure, not a
 *       {@code TIMEOUT}: the connection cannot be used afterwards.</li>
 *   <li>The other R2DBC categories, for drivers that leave out the SQLSTATE:
 *       {@link R2dbcDataIntegrityViolationException} is {@link ErrorClass#CONSTRAINT},
 *       {@link R2dbcBadGrammarException} is {@link ErrorClass#SYNTAX},
 *       {@link R2dbcPermissionDeniedException} is {@link ErrorClass#PERMISSION}.</li>
 * </ul>
 * r2dbc-postgresql's own connection exceptions ({@code PostgresConnectionException},
 * {@code PostgresConnectionClosedException}) carry SQLSTATE 08003 or 08006, so the table classifies them.
 *
 * <p>The error is searched from the outside in: the error itself, then its cause, the cause's cause and so
 * on; the first that can be classified decides, since the outer layers say best what the caller lived
 * through, and wrappers (such as an {@code IllegalStateException} around a failed connect) only add
 * context. Suppressed exceptions are consulted only on Reactor's composite errors
 * ({@link Exceptions#multiple(Throwable...)}), which carry all their information that way, and only when
 * the cause chain said nothing. On ordinary errors a suppressed exception is a second failure that happened
 * while handling the first (closing the connection after the real error, say); letting it decide would turn,
 * for instance, a bug into a retried connection failure.
 *
 * <p>All methods are static, pure and thread-safe.
 */
public final class SqlErrorClassifier {

    /**
     * Exact SQLSTATEs, in the order of the README's table. Condition names as in the PostgreSQL manual,
     * appendix A.
     */
    private static final Map<String, ErrorClass> CODES = table(
            // class 40, transaction rollback: only these two are known to succeed on a re-run
            "40001", TRANSIENT_SERIALIZATION,   // serialization_failure
            "40P01", TRANSIENT_DEADLOCK,        // deadlock_detected

            // class 08, connection exception; class 57, operator intervention that ends the session
            "08000", CONNECTION,                // connection_exception
            "08003", CONNECTION,                // connection_does_not_exist (r2dbc-postgresql: cannot connect)
            "08006", CONNECTION,                // connection_failure (r2dbc-postgresql: connection closed, I/O error)
            "08001", CONNECTION,                // sqlclient_unable_to_establish_sqlconnection
            "08004", CONNECTION,                // sqlserver_rejected_establishment_of_sqlconnection
            "08007", CONNECTION,                // transaction_resolution_unknown
            "08P01", CONNECTION,                // protocol_violation
            "57P01", CONNECTION,                // admin_shutdown (pg_terminate_backend, fast shutdown)
            "57P02", CONNECTION,                // crash_shutdown
            "57P03", CONNECTION,                // cannot_connect_now (starting up, shutting down, recovering)
            "57P05", CONNECTION,                // idle_session_timeout: the server closed an idle pooled connection

            // class 23, integrity constraint violation
            "23000", CONSTRAINT,                // integrity_constraint_violation
            "23001", CONSTRAINT,                // restrict_violation
            "23502", CONSTRAINT,                // not_null_violation
            "23503", CONSTRAINT,                // foreign_key_violation
            "23505", CONSTRAINT,                // unique_violation
            "23514", CONSTRAINT,                // check_violation
            "23P01", CONSTRAINT,                // exclusion_violation

            // ran out of time: a statement, a lock wait, a transaction
            "57014", TIMEOUT,                   // query_canceled (statement_timeout, pg_cancel_backend)
            "55P03", TIMEOUT,                   // lock_not_available (lock_timeout, NOWAIT)
            "25P03", TIMEOUT,                   // idle_in_transaction_session_timeout
            "25P04", TIMEOUT,                   // transaction_timeout

            // not allowed
            "42501", PERMISSION,                // insufficient_privilege
            "28000", PERMISSION,                // invalid_authorization_specification (unknown role, no login, pg_hba)
            "28P01", PERMISSION,                // invalid_password
            "25006", PERMISSION,                // read_only_sql_transaction: a write on a standby or in a READ ONLY transaction

            // the statement, its data or its place in the transaction is wrong
            "42601", SYNTAX,                    // syntax_error
            "42P01", SYNTAX,                    // undefined_table
            "42703", SYNTAX,                    // undefined_column
            "42883", SYNTAX,                    // undefined_function
            "42704", SYNTAX,                    // undefined_object
            "42702", SYNTAX,                    // ambiguous_column
            "42804", SYNTAX,                    // datatype_mismatch
            "42P07", SYNTAX,                    // duplicate_table
            "42710", SYNTAX,                    // duplicate_object
            "3F000", SYNTAX,                    // invalid_schema_name
            "22000", SYNTAX,                    // data_exception
            "22001", SYNTAX,                    // string_data_right_truncation
            "22003", SYNTAX,                    // numeric_value_out_of_range
            "22007", SYNTAX,                    // invalid_datetime_format
            "22008", SYNTAX,                    // datetime_field_overflow
            "22012", SYNTAX,                    // division_by_zero
            "22023", SYNTAX,                    // invalid_parameter_value
            "22P02", SYNTAX,                    // invalid_text_representation
            "0A000", SYNTAX,                    // feature_not_supported
            "25001", SYNTAX,                    // active_sql_transaction
            "25P01", SYNTAX,                    // no_active_sql_transaction
            "25P02", SYNTAX,                    // in_failed_sql_transaction: an earlier error was ignored

            // the server ran out of something
            "53000", RESOURCE,                  // insufficient_resources
            "53100", RESOURCE,                  // disk_full
            "53200", RESOURCE,                  // out_of_memory
            "53300", RESOURCE,                  // too_many_connections (server, role or database limit)
            "53400", RESOURCE,                  // configuration_limit_exceeded
            "54000", RESOURCE,                  // program_limit_exceeded
            "54001", RESOURCE,                  // statement_too_complex
            "54011", RESOURCE,                  // too_many_columns
            "54023", RESOURCE);                 // too_many_arguments

    /** Two-character SQLSTATE classes, for codes not in {@link #CODES}. */
    private static final Map<String, ErrorClass> CODE_CLASSES = table(
            "08", CONNECTION,                   // connection_exception
            "23", CONSTRAINT,                   // integrity_constraint_violation
            "28", PERMISSION,                   // invalid_authorization_specification
            "42", SYNTAX,                       // syntax_error_or_access_rule_violation (42501 is listed above)
            "22", SYNTAX,                       // data_exception
            "0A", SYNTAX,                       // feature_not_supported
            "25", SYNTAX,                       // invalid_transaction_state (25006, 25P03, 25P04 are listed above)
            "53", RESOURCE,                     // insufficient_resources
            "54", RESOURCE);                    // program_limit_exceeded

    /** How r2dbc-pool and r2dbc-postgresql say, without a SQLSTATE, that a connection is gone. */
    private static final Pattern CONNECTION_LOST = Pattern.compile(
            "closed|connection reset|broken pipe|connection refused|connection error|i/o error|validation failed",
            Pattern.CASE_INSENSITIVE);

    /** Transport exceptions matched by class name, so the classifier needs no Netty on its compile path. */
    private static final List<String> TRANSPORT_TYPES = List.of(
            "io.netty.channel.ChannelException",
            "reactor.netty.channel.AbortedException");

    /** Bounds the search through pathological (very long) cause chains. */
    private static final int MAX_ERRORS_SEARCHED = 64;

    private SqlErrorClassifier() {
    }

    /**
     * The class of {@code error}: from the first SQLSTATE or known exception type found in it, its cause
     * chain or, for Reactor composites, its suppressed errors (see the class documentation for the order).
     *
     * @param error any throwable, typically what a Sluice publisher signalled
     * @return {@link ErrorClass#UNKNOWN} when nothing in the error is known
     * @throws NullPointerException when {@code error} is null
     */
    public static ErrorClass classify(Throwable error) {
        Objects.requireNonNull(error, "error");
        for (Throwable candidate : searchOrder(error)) {
            if (candidate instanceof PoolShutdownException) {
                return UNKNOWN;
            }
            ErrorClass found = classifyOne(candidate);
            if (found != UNKNOWN) {
                return found;
            }
        }
        return UNKNOWN;
    }

    /**
     * The SQLSTATE of {@code error}: the first one found in the error, its cause chain or, for Reactor
     * composites, its suppressed errors. Reads {@link R2dbcException#getSqlState()} and, for JDBC peers,
     * {@link SQLException#getSQLState()}.
     *
     * <p>This reports what the server (or driver) said even where {@link #classify(Throwable)} stops
     * earlier: a {@link PoolShutdownException} wrapping a cancelled statement is {@code UNKNOWN}, yet its
     * SQLSTATE is the statement's.
     *
     * @return empty when no SQLSTATE is present
     * @throws NullPointerException when {@code error} is null
     */
    public static Optional<String> sqlState(Throwable error) {
        Objects.requireNonNull(error, "error");
        for (Throwable candidate : searchOrder(error)) {
            String state = ownSqlState(candidate);
            if (state != null) {
                return Optional.of(state);
            }
        }
        return Optional.empty();
    }

    /**
     * The class of a SQLSTATE: the exact code if listed in {@link #knownCodes()}, else its two-character
     * class if listed in {@link #knownCodeClasses()}, else {@link ErrorClass#UNKNOWN}.
     *
     * @param sqlState a five-character SQLSTATE such as {@code "40001"}; case does not matter
     * @throws NullPointerException when {@code sqlState} is null
     */
    public static ErrorClass classifySqlState(String sqlState) {
        String code = Objects.requireNonNull(sqlState, "sqlState").trim().toUpperCase(Locale.ROOT);
        ErrorClass exact = CODES.get(code);
        if (exact != null) {
            return exact;
        }
        return code.length() == 5 ? CODE_CLASSES.getOrDefault(code.substring(0, 2), UNKNOWN) : UNKNOWN;
    }

    /**
     * Every SQLSTATE mapped exactly, in a stable documentation order (by class of error), with its class.
     * Unmodifiable. Codes not listed fall back to {@link #knownCodeClasses()}.
     */
    public static Map<String, ErrorClass> knownCodes() {
        return CODES;
    }

    /**
     * The two-character SQLSTATE classes mapped as a whole (such as {@code "23"} for every integrity
     * constraint violation), used for codes that {@link #knownCodes()} does not list. Unmodifiable.
     */
    public static Map<String, ErrorClass> knownCodeClasses() {
        return CODE_CLASSES;
    }

    private static ErrorClass classifyOne(Throwable error) {
        if (error instanceof PoolExhaustedException) {
            return error.getCause() == null ? TIMEOUT : classify(error.getCause());
        }
        String state = ownSqlState(error);
        if (state != null) {
            return classifySqlState(state);
        }
        if (error instanceof R2dbcTimeoutException || error instanceof TimeoutException) {
            return TIMEOUT;
        }
        if (error instanceof IOException || error instanceof UnresolvedAddressException
                || error instanceof R2dbcTransientResourceException || isA(error, TRANSPORT_TYPES)) {
            return CONNECTION;
        }
        if (error instanceof R2dbcNonTransientResourceException) {
            return error.getMessage() != null && CONNECTION_LOST.matcher(error.getMessage()).find() ? CONNECTION : UNKNOWN;
        }
        if (error instanceof R2dbcDataIntegrityViolationException) {
            return CONSTRAINT;
        }
        if (error instanceof R2dbcBadGrammarException) {
            return SYNTAX;
        }
        if (error instanceof R2dbcPermissionDeniedException) {
            return PERMISSION;
        }
        return UNKNOWN;
    }

    private static String ownSqlState(Throwable error) {
        String state = null;
        if (error instanceof R2dbcException r2dbc) {
            state = r2dbc.getSqlState();
        } else if (error instanceof SQLException jdbc) {
            state = jdbc.getSQLState();
        }
        return state == null || state.isBlank() ? null : state.trim();
    }

    private static boolean isA(Throwable error, List<String> typeNames) {
        for (Class<?> type = error.getClass(); type != null; type = type.getSuperclass()) {
            if (typeNames.contains(type.getName())) {
                return true;
            }
        }
        return false;
    }

    /**
     * The error and its causes, outermost first; then, for each Reactor composite among them, its
     * suppressed errors with their own causes. Each throwable once, at most {@link #MAX_ERRORS_SEARCHED}.
     */
    private static List<Throwable> searchOrder(Throwable error) {
        List<Throwable> order = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        appendChain(error, order, seen);
        for (int i = 0; i < order.size() && order.size() < MAX_ERRORS_SEARCHED; i++) {
            Throwable candidate = order.get(i);
            if (Exceptions.isMultiple(candidate)) {
                for (Throwable part : candidate.getSuppressed()) {
                    appendChain(part, order, seen);
                }
            }
        }
        return order;
    }

    private static void appendChain(Throwable error, List<Throwable> order, Set<Throwable> seen) {
        for (Throwable t = error; t != null && order.size() < MAX_ERRORS_SEARCHED && seen.add(t); t = t.getCause()) {
            order.add(t);
        }
    }

    private static Map<String, ErrorClass> table(Object... codeThenClass) {
        Map<String, ErrorClass> table = new LinkedHashMap<>();
        for (int i = 0; i < codeThenClass.length; i += 2) {
            String code = (String) codeThenClass[i];
            if (table.put(code, (ErrorClass) codeThenClass[i + 1]) != null) {
                throw new IllegalStateException("SQLSTATE " + code + " is listed twice");
            }
        }
        return Collections.unmodifiableMap(table);
    }
}
