package dev.sluice.bench.system;

import org.HdrHistogram.Histogram;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads what pgbench prints and the per-transaction log it writes with {@code -l}. */
public final class PgbenchOutput {

    private static final Pattern TPS = Pattern.compile("^tps = ([0-9.]+) \\(without initial connection time\\)", Pattern.MULTILINE);
    private static final Pattern FAILED = Pattern.compile("^number of failed transactions: (\\d+)", Pattern.MULTILINE);
    private static final Pattern PROCESSED = Pattern.compile("^number of transactions actually processed: (\\d+)", Pattern.MULTILINE);

    private PgbenchOutput() {
    }

    /** The transactions per second pgbench reports, without connection time; empty when the output has none. */
    public static OptionalDouble tps(String output) {
        Matcher m = TPS.matcher(output);
        return m.find() ? OptionalDouble.of(Double.parseDouble(m.group(1))) : OptionalDouble.empty();
    }

    /** Failed transactions (pgbench 15 and later print them; 0 when the line is missing). */
    public static long failed(String output) {
        Matcher m = FAILED.matcher(output);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    /** Transactions processed, or -1 when the line is missing. */
    public static long processed(String output) {
        Matcher m = PROCESSED.matcher(output);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /**
     * Adds the latencies of a per-transaction log to {@code histogram}, in nanoseconds. Each line is
     * {@code client_id transaction_no time script_no time_epoch time_us [...]}, where {@code time} is the
     * transaction's latency in microseconds; lines of failed transactions (whose time is not a number) are skipped.
     *
     * @return the number of latencies added
     */
    public static long readLog(Path log, Histogram histogram) throws IOException {
        long added = 0;
        try (BufferedReader reader = Files.newBufferedReader(log)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length < 3) {
                    continue;
                }
                try {
                    long micros = Long.parseLong(fields[2]);
                    histogram.recordValue(Math.min(Math.max(1, micros * 1_000), histogram.getHighestTrackableValue()));
                    added++;
                } catch (NumberFormatException notALatency) {
                    // a failed transaction is logged with "failed" or "serialization"/"deadlock" in place of its time
                }
            }
        }
        return added;
    }
}
