/**
 * The health-check extension point: {@link dev.sluice.pool.check.HealthCheck}, what it returns
 * ({@link dev.sluice.pool.check.CheckResult}, {@link dev.sluice.pool.check.Reading},
 * {@link dev.sluice.pool.check.HealthStatus}). Modules and applications implement checks against this package;
 * reactive-health runs them.
 */
package dev.sluice.pool.check;
