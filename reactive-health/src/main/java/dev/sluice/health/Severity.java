package dev.sluice.health;

/** How urgent an alert is, from least to most. */
public enum Severity {
    /** Worth a look during working hours. */
    WARNING,
    /** Needs attention soon. */
    MEDIUM,
    /** Needs attention now. */
    HIGH,
    /** Users are affected or about to be. */
    CRITICAL
}
