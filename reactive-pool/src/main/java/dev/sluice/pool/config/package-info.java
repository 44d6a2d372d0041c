/**
 * The one configuration model of Sluice, for every configurable type of every module.
 *
 * <p>A configured type declares each setting once as a {@link dev.sluice.pool.config.Setting} constant (name,
 * type, default, range, environment variable suffix, secret or not, inherited by named pools or not, README
 * text). Its builder records values in setters without checking them and, in {@code build()}, checks every value
 * with a {@link dev.sluice.pool.config.Problems} collector against the declarations, then throws one
 * {@link dev.sluice.pool.config.ConfigException} carrying every {@link dev.sluice.pool.config.ConfigProblem}.
 * Environment loading reads through {@link dev.sluice.pool.config.Environment}, which applies the shared rules
 * (blank is an error, an unknown prefixed variable a warning naming the closest known one, an alias and the
 * project's own name must agree), and values are written in one grammar, {@link dev.sluice.pool.config.Durations}
 * and {@link dev.sluice.pool.config.Sizes}.
 *
 * <pre>{@code
 * public static final Setting<Duration> PERIOD = Setting.duration("period", Duration.ofSeconds(5),
 *         Duration.ofMillis(100), Duration.ofMinutes(10)).env("PERIOD");
 *
 * public MyConfig build() {
 *     Problems problems = new Problems("health");
 *     problems.check(PERIOD, period);
 *     problems.throwIfAny();
 *     return new MyConfig(this);
 * }
 *
 * Environment env = Environment.of(System.getenv());
 * Problems problems = new Problems("health");
 * env.read(problems, "health", PERIOD, "SLUICE_HEALTH_PERIOD").ifPresent(builder::period);
 * env.warnUnknown("SLUICE_HEALTH_", List.of("SLUICE_HEALTH_PERIOD"), name -> false);
 * problems.throwIfAny();
 * }</pre>
 */
package dev.sluice.pool.config;
