package dev.sluice.pool;

import dev.sluice.pool.config.ConfigException;
import dev.sluice.pool.config.ConfigProblem;
import dev.sluice.pool.config.Environment;

import java.util.List;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A PostgreSQL connection URL taken apart: {@code postgresql://[user[:password]@][host][:port][/database][?name=value&...]}
 * ({@code postgres://}, and the JDBC and R2DBC spellings {@code jdbc:postgresql://} and {@code r2dbc:postgresql://},
 * are accepted too; their {@code user} and {@code password} parameters are read as the user and password). User, password, database and query parameters are percent-decoded
 * (RFC 3986: {@code +} stays a plus sign). Only the structure is checked here; what the parameters mean is
 * {@link PgEnvironment}'s business.
 *
 * <p>Every error is a {@link ConfigException} for the variable the URL came from, showing the URL with the
 * password replaced by {@code ***} and without its query string; the password is never part of a message
 * or of {@link #toString()}.
 */
final class DatabaseUrl {

    private static final String EXAMPLE = "postgresql://user:password@host:5432/database?sslmode=require";

    private final String redacted;
    private final String user;
    private final String password;
    private final String host;
    private final Integer port;
    private final String database;
    private final Map<String, String> parameters;

    private DatabaseUrl(String redacted, String user, String password, String host, Integer port, String database,
                        Map<String, String> parameters) {
        this.redacted = redacted;
        this.user = user;
        this.password = password;
        this.host = host;
        this.port = port;
        this.database = database;
        this.parameters = Collections.unmodifiableMap(parameters);
    }

    /**
     * Parses {@code url}.
     *
     * @param variable the environment variable holding the URL, named in errors
     * @throws ConfigException for a malformed URL, naming {@code variable}, never showing the password
     */
    static DatabaseUrl parse(String variable, String url) {
        String shown = redact(url);
        if (url.isBlank()) {
            throw new ConfigException(List.of(Environment.blank("", "url", variable)));
        }
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:postgresql://") || lower.startsWith("r2dbc:postgresql://")) {
            url = url.substring(url.indexOf(':') + 1);
            lower = lower.substring(lower.indexOf(':') + 1);
        } else if (lower.startsWith("jdbc:") || lower.startsWith("r2dbc:")) {
            throw malformed(variable, shown, "only the PostgreSQL forms jdbc:postgresql://, r2dbc:postgresql:// and "
                    + "postgresql:// are accepted, as in " + EXAMPLE);
        }
        String rest;
        if (lower.startsWith("postgresql://")) {
            rest = url.substring("postgresql://".length());
        } else if (lower.startsWith("postgres://")) {
            rest = url.substring("postgres://".length());
        } else {
            throw malformed(variable, shown, "must start with postgresql://, postgres://, jdbc:postgresql:// or "
                    + "r2dbc:postgresql://, as in " + EXAMPLE);
        }

        int authorityEnd = indexOfAny(rest, "/?#", 0);
        String authority = authorityEnd < 0 ? rest : rest.substring(0, authorityEnd);
        String tail = authorityEnd < 0 ? "" : rest.substring(authorityEnd);
        if (tail.indexOf('@') >= 0) {
            throw malformed(variable, shown, "'@' after the host part: percent-encode '/', '?', '#' and '@' in the user name "
                    + "and password (%2F, %3F, %23, %40)");
        }
        if (tail.indexOf('#') >= 0) {
            throw malformed(variable, shown, "a '#' fragment is not part of a PostgreSQL URL: remove it, or write '#' as %23");
        }

        String user = null;
        String password = null;
        String hostPort = authority;
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            hostPort = authority.substring(at + 1);
            int colon = userInfo.indexOf(':');
            String rawUser = colon < 0 ? userInfo : userInfo.substring(0, colon);
            user = decode(rawUser);
            if (user == null) {
                throw malformed(variable, shown, "the user name has an invalid percent-encoding: write '%' as %25");
            }
            if (colon >= 0) {
                password = decode(userInfo.substring(colon + 1));
                if (password == null) {
                    throw malformed(variable, shown, "the password has an invalid percent-encoding (the password is not shown): "
                            + "write '%' as %25 and escape only with %XX of UTF-8 bytes");
                }
            }
            user = user.isEmpty() ? null : user;
            password = password == null || password.isEmpty() ? null : password;
        }

        String host = null;
        Integer port = null;
        if (hostPort.indexOf(',') >= 0) {
            throw malformed(variable, shown, "more than one host is not supported: give one server per pool "
                    + "(for example DATABASE_URL for the primary and PG_REPLICA_1_URL for a replica)");
        }
        String portText = null;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0) {
                throw malformed(variable, shown, "an IPv6 address must be closed with ']', as in postgresql://user@[::1]:5432/db");
            }
            host = hostPort.substring(1, close);
            String after = hostPort.substring(close + 1);
            if (after.startsWith(":")) {
                portText = after.substring(1);
            } else if (!after.isEmpty()) {
                throw malformed(variable, shown, "unexpected '" + after + "' after the IPv6 address: only ':port' may follow it");
            }
        } else {
            int colon = hostPort.indexOf(':');
            if (colon >= 0 && hostPort.indexOf(':', colon + 1) >= 0) {
                throw malformed(variable, shown, "an IPv6 address must be written in brackets, as in postgresql://user@[::1]:5432/db");
            }
            host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            portText = colon < 0 ? null : hostPort.substring(colon + 1);
        }
        if (host != null) {
            String decoded = decode(host);
            if (decoded == null) {
                throw malformed(variable, shown, "the host '" + host + "' has an invalid percent-encoding");
            }
            host = decoded.isEmpty() ? null : decoded;
        }
        if (host != null && host.startsWith("/")) {
            throw malformed(variable, shown, "Unix-domain sockets ('" + host + "') are not supported: give a host name or address");
        }
        if (portText != null) {
            if (!portText.matches("[0-9]{1,5}") || Integer.parseInt(portText) < 1 || Integer.parseInt(portText) > 65535) {
                throw malformed(variable, shown, "port '" + portText + "' must be a number between 1 and 65535");
            }
            port = Integer.parseInt(portText);
        }

        String database = null;
        String query = null;
        if (!tail.isEmpty()) {
            int question = tail.indexOf('?');
            String path = question < 0 ? tail : tail.substring(0, question);
            query = question < 0 ? null : tail.substring(question + 1);
            if (path.length() > 1) {
                database = decode(path.substring(1));
                if (database == null) {
                    throw malformed(variable, shown, "the database name has an invalid percent-encoding: write '%' as %25");
                }
            }
        }

        Map<String, String> parameters = new LinkedHashMap<>();
        if (query != null) {
            for (String pair : query.split("&", -1)) {
                if (pair.isEmpty()) {
                    continue;
                }
                int equals = pair.indexOf('=');
                String name = decode(equals < 0 ? pair : pair.substring(0, equals));
                if (name == null || name.isEmpty()) {
                    throw malformed(variable, shown, "a query parameter has no valid name: write parameters as name=value&name=value");
                }
                if (equals < 0) {
                    throw malformed(variable, shown, "query parameter '" + name + "' has no value: write it as " + name + "=value");
                }
                String value = decode(pair.substring(equals + 1));
                if (value == null) {
                    throw malformed(variable, shown, "the value of query parameter '" + name + "' has an invalid percent-encoding: write '%' as %25");
                }
                if (value.isEmpty()) {
                    throw malformed(variable, shown, "query parameter '" + name + "' is empty: give a value or remove it");
                }
                if (parameters.putIfAbsent(name, value) != null) {
                    throw malformed(variable, shown, "query parameter '" + name + "' is given twice: keep one");
                }
            }
        }
        return new DatabaseUrl(shown, user, password, host, port, database, parameters);
    }

    /** The user name, if the URL has one. */
    Optional<String> user() {
        return Optional.ofNullable(user);
    }

    /** The password, if the URL has one. Never shown. */
    Optional<String> password() {
        return Optional.ofNullable(password);
    }

    /** The host, if the URL names one ({@code postgresql:///db} does not). */
    Optional<String> host() {
        return Optional.ofNullable(host);
    }

    /** The port, if given. */
    Optional<Integer> port() {
        return Optional.ofNullable(port);
    }

    /** The database, if given. */
    Optional<String> database() {
        return Optional.ofNullable(database);
    }

    /** The decoded query parameters, in the order written. */
    Map<String, String> parameters() {
        return parameters;
    }

    /** The URL with the password replaced by {@code ***} and without its query string. */
    String redacted() {
        return redacted;
    }

    @Override
    public String toString() {
        return redacted;
    }

    /**
     * The URL as it may be shown: the password (everything between the first ':' of the user part and the last
     * '@') becomes {@code ***}, and the query string and fragment are dropped, since they could hold anything.
     * When the user part itself looks damaged (contains '/', '?' or '#'), it is hidden too.
     */
    static String redact(String url) {
        int schemeEnd = url.indexOf("://");
        int start = schemeEnd < 0 ? 0 : schemeEnd + 3;
        int at = url.lastIndexOf('@');
        String shown = url;
        int hostStart = start;
        if (at >= start) {
            String userInfo = url.substring(start, at);
            int colon = userInfo.indexOf(':');
            String user = colon < 0 ? userInfo : userInfo.substring(0, colon);
            boolean clean = indexOfAny(user, "/?#", 0) < 0;
            String shownUser = clean ? user : "***";
            String shownPassword = colon < 0 && clean ? "" : ":***";
            shown = url.substring(0, start) + shownUser + shownPassword + url.substring(at);
            hostStart = start + shownUser.length() + shownPassword.length();
        }
        int queryStart = indexOfAny(shown, "?#", hostStart);
        return queryStart < 0 ? shown : shown.substring(0, queryStart);
    }

    private static ConfigException malformed(String variable, String shown, String rule) {
        return new ConfigException(List.of(new ConfigProblem("", "url", variable, shown, rule)));
    }

    private static int indexOfAny(String text, String characters, int from) {
        for (int i = from; i < text.length(); i++) {
            if (characters.indexOf(text.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    /** Percent-decodes {@code text} as UTF-8; {@code null} when the encoding is invalid (the caller words the error). */
    private static String decode(String text) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        ByteBuffer bytes = ByteBuffer.allocate(text.length() * 4);
        int i = 0;
        while (i < text.length()) {
            int percent = text.indexOf('%', i);
            int runEnd = percent < 0 ? text.length() : percent;
            bytes.put(text.substring(i, runEnd).getBytes(StandardCharsets.UTF_8));
            if (percent < 0) {
                break;
            }
            if (percent + 2 >= text.length()) {
                return null;
            }
            int high = Character.digit(text.charAt(percent + 1), 16);
            int low = Character.digit(text.charAt(percent + 2), 16);
            if (high < 0 || low < 0) {
                return null;
            }
            bytes.put((byte) (high * 16 + low));
            i = percent + 3;
        }
        bytes.flip();
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes)
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
