package dev.sluice.pool;

import dev.sluice.pool.config.ConfigException;
import java.time.Duration;
import java.util.Locale;

/**
 * Starting configurations for a pool by kind of deployment. A template sets sizes, timeouts, diagnostics and
 * TLS; it never sets where to connect or as whom (host, port, database, user, password), the role, the
 * application name or server settings. Size real pools from their load with {@link PoolSizer}.
 *
 * <pre>{@code
 * PgPoolConfig config = EnvironmentTemplate.PRODUCTION.builder("primary")
 *         .host("db.internal").user("orders").password(secret)
 *         .build();
 * RegistryConfig fromEnvironment = PgEnvironment.load(System.getenv(), EnvironmentTemplate.PRODUCTION);
 * }</pre>
 *
 * <p>What the three share, and why: the statement timeout of staging equals production's, so a query that
 * production would cancel is cancelled before it is released; leak detection gets less sensitive from
 * development to production (10 s, 30 s, 60 s), because its cost (a captured call site per acquire) and
 * its false alarms (a long report, a paused debugger) are cheap early and expensive late; the slow-query
 * threshold goes the other way (200 ms, 500 ms, 1 s), because small development data makes every query fast, so
 * one that is slow there will be much slower on production data.
 *
 * <p>Values not listed for a template are {@link PgPoolConfig}'s defaults.
 */
public enum EnvironmentTemplate {

    /**
     * A developer's machine against a local or shared development server.
     * <ul>
     *   <li>1 to 5 connections: one person's traffic, and a shared development server is not filled by
     *       idle laptops.</li>
     *   <li>Acquire and connect timeouts 2 s: a local server answers in milliseconds, so a 2 s wait is a
     *       leak, a deadlock or a stopped server, and should be an error while you are looking.</li>
     *   <li>Idle timeout 1 min, max lifetime 10 min: connections are opened and closed often, so reconnect
     *       paths run during development, not first in production.</li>
     *   <li>Statement timeout 5 min and idle-in-transaction timeout 5 min: generous, for migrations and for
     *       stepping through a transaction in a debugger, yet a runaway query or forgotten transaction does
     *       not hold locks all afternoon.</li>
     *   <li>Leak detection 10 s: a connection held that long in development is almost always a missing
     *       release; reporting it costs little here.</li>
     *   <li>Slow-query threshold 200 ms: see the class comment.</li>
     *   <li>TLS prefer (libpq's default): local servers often have no certificate.</li>
     *   <li>Shutdown grace period 2 s: fast restarts in the edit-run loop.</li>
     * </ul>
     */
    DEVELOPMENT {
        @Override
        public PgPoolConfig.Builder apply(PgPoolConfig.Builder builder) {
            return builder
                    .minConnections(1)
                    .maxConnections(5)
                    .acquireTimeout(Duration.ofSeconds(2))
                    .connectTimeout(Duration.ofSeconds(2))
                    .idleTimeout(Duration.ofMinutes(1))
                    .maxLifetime(Duration.ofMinutes(10))
                    .statementTimeout(Duration.ofMinutes(5))
                    .idleInTransactionTimeout(Duration.ofMinutes(5))
                    .leakDetectionThreshold(Duration.ofSeconds(10))
                    .slowQueryThreshold(Duration.ofMillis(200))
                    .sslMode(SslMode.PREFER)
                    .shutdownGracePeriod(Duration.ofSeconds(2));
        }
    },

    /**
     * A production-like deployment that takes less traffic: production's limits, more diagnostics.
     * <ul>
     *   <li>2 to 10 connections: enough for test traffic and a load test's first steps; two warm
     *       connections keep the first requests after a deploy fast.</li>
     *   <li>Acquire timeout 3 s and connect timeout 5 s, as production.</li>
     *   <li>Statement timeout 30 s and idle-in-transaction timeout 30 s, as production, so whatever
     *       production would cancel is cancelled here first.</li>
     *   <li>Leak detection 30 s: equal to the statement timeout, so a connection held longer is not running
     *       one statement; more sensitive than production, to catch leaks before release.</li>
     *   <li>Slow-query threshold 500 ms.</li>
     *   <li>TLS require, as production: a missing server certificate shows up here.</li>
     *   <li>Shutdown grace period 10 s.</li>
     * </ul>
     */
    STAGING {
        @Override
        public PgPoolConfig.Builder apply(PgPoolConfig.Builder builder) {
            return builder
                    .minConnections(2)
                    .maxConnections(10)
                    .acquireTimeout(Duration.ofSeconds(3))
                    .connectTimeout(Duration.ofSeconds(5))
                    .idleTimeout(Duration.ofMinutes(10))
                    .maxLifetime(Duration.ofMinutes(30))
                    .statementTimeout(Duration.ofSeconds(30))
                    .idleInTransactionTimeout(Duration.ofSeconds(30))
                    .leakDetectionThreshold(Duration.ofSeconds(30))
                    .slowQueryThreshold(Duration.ofMillis(500))
                    .sslMode(SslMode.REQUIRE)
                    .shutdownGracePeriod(Duration.ofSeconds(10));
        }
    },

    /**
     * Production: bounded waits, TLS, limits that protect the server from one bad query or transaction.
     * <ul>
     *   <li>5 to 20 connections: 20 carry about 3,200 operations/s of 5 ms at 80% utilisation (Little's
     *       law), and five stay open so a burst after a quiet spell does not wait for TCP, TLS and
     *       authentication. Replace both with {@link PoolSizer}'s numbers for your load.</li>
     *   <li>Acquire timeout 3 s: well under the usual 10 to 30 s timeouts of load balancers and callers, so
     *       a saturated pool answers with an error the caller can handle before the caller gives up.</li>
     *   <li>Connect timeout 5 s: TCP, TLS and SCRAM authentication take well under a second on a healthy
     *       network; 5 s tolerates a busy server without a dead one stalling start-up.</li>
     *   <li>Idle timeout 10 min and max lifetime 30 min (with the default 10% jitter): connections are
     *       renewed twice an hour, which follows DNS fail-overs and spreads server-side memory growth,
     *       without measurable reconnect cost.</li>
     *   <li>Statement timeout 30 s: an interactive query running longer is a bug or a missing index, and
     *       holds a connection and locks while it runs; longer work belongs on a {@code BACKGROUND} or
     *       {@code ANALYTICS} pool with its own timeout (or a {@code SET LOCAL} in its transaction).</li>
     *   <li>Idle-in-transaction timeout 30 s: a transaction idle that long is waiting on something it should
     *       not wait on inside a transaction, while holding locks and holding back vacuum.</li>
     *   <li>Leak detection 60 s: twice the statement timeout, so a report means a connection held without
     *       a statement running, not a slow query; at this threshold reports are rare and always real.</li>
     *   <li>Slow-query threshold 1 s: logs outliers without flooding the logs.</li>
     *   <li>TLS require: traffic crosses a network you do not own. Use {@code verify-full} with
     *       {@code sslRootCert} where you have the CA certificate; the template cannot know its path.</li>
     *   <li>Shutdown grace period 25 s: in-flight work finishes within Kubernetes' default 30 s termination
     *       grace period, leaving 5 s to close connections.</li>
     * </ul>
     */
    PRODUCTION {
        @Override
        public PgPoolConfig.Builder apply(PgPoolConfig.Builder builder) {
            return builder
                    .minConnections(5)
                    .maxConnections(20)
                    .acquireTimeout(Duration.ofSeconds(3))
                    .connectTimeout(Duration.ofSeconds(5))
                    .idleTimeout(Duration.ofMinutes(10))
                    .maxLifetime(Duration.ofMinutes(30))
                    .statementTimeout(Duration.ofSeconds(30))
                    .idleInTransactionTimeout(Duration.ofSeconds(30))
                    .leakDetectionThreshold(Duration.ofSeconds(60))
                    .slowQueryThreshold(Duration.ofSeconds(1))
                    .sslMode(SslMode.REQUIRE)
                    .shutdownGracePeriod(Duration.ofSeconds(25));
        }
    };

    /**
     * Sets this template's values on {@code builder}, replacing what it had for those settings and leaving
     * every other setting alone. Apply the template first, then your own settings.
     *
     * @return {@code builder}
     */
    public abstract PgPoolConfig.Builder apply(PgPoolConfig.Builder builder);

    /** A builder for the pool called {@code poolName}, with this template's values. */
    public PgPoolConfig.Builder builder(String poolName) {
        return apply(PgPoolConfig.builder(poolName));
    }

    /**
     * Parses a template name, case-insensitively ({@code production}, {@code PRODUCTION}).
     *
     * @param setting the setting the value came from (such as an environment variable), named in the error
     * @throws ConfigException naming the setting, the value and the valid templates
     */
    public static EnvironmentTemplate parse(String setting, String value) {
        if (value != null) {
            for (EnvironmentTemplate template : values()) {
                if (template.name().equals(value.trim().toUpperCase(Locale.ROOT))) {
                    return template;
                }
            }
        }
        throw new ConfigException(setting, value, "must be one of development, staging, production");
    }
}
