package dev.sluice.bench;

import dev.sluice.bench.load.Measurement;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Progress of a run on the console: which scenario, which system, which round, and a running count of completed
 * operations. On a terminal the running count updates in place; otherwise a line is printed every few seconds.
 */
public final class Progress {

    private static final long PLAIN_EVERY_MILLIS = 2_000;

    private final PrintStream out;
    private final boolean live;
    private String scenario = "";
    private long lastPlainMillis;
    private boolean midLine;

    /**
     * @param out  where to print
     * @param live whether {@code out} is a terminal (running counts then update in place)
     */
    public Progress(PrintStream out, boolean live) {
        this.out = out;
        this.live = live;
    }

    /** Progress on standard output, live when the JVM has a console. */
    public static Progress console() {
        return new Progress(System.out, System.console() != null);
    }

    /** A scenario starts. */
    public synchronized void scenario(String name, String title) {
        endLine();
        scenario = name;
        out.println();
        out.println("== " + name + ": " + title);
    }

    /** A system's turn starts. */
    public synchronized void system(String system, int round, int rounds) {
        endLine();
        out.printf(Locale.ROOT, "[%s] %s, round %d/%d%n", scenario, system, round, rounds);
    }

    /** A phase of a system's turn (opening, warm-up, ...). */
    public synchronized void phase(String system, String text) {
        endLine();
        out.printf(Locale.ROOT, "[%s] %s: %s%n", scenario, system, text);
        lastPlainMillis = System.currentTimeMillis();
    }

    /** The running count of a measurement window. */
    public synchronized void running(String system, Duration elapsed, Duration total, long completed) {
        String text = String.format(Locale.ROOT, "[%s] %s: measuring %s/%s, %,d operations", scenario, system,
                duration(elapsed), duration(total), completed);
        if (live) {
            out.print("\r" + text + "   ");
            midLine = true;
        } else if (System.currentTimeMillis() - lastPlainMillis >= PLAIN_EVERY_MILLIS || elapsed.compareTo(total) >= 0) {
            out.println(text);
            lastPlainMillis = System.currentTimeMillis();
        }
        out.flush();
    }

    /** A system's turn ended after {@code took}: its numbers, or why it was skipped. */
    public synchronized void result(String system, List<Measurement> windows, String skipped, Duration took) {
        endLine();
        if (skipped != null) {
            out.printf(Locale.ROOT, "[%s] %s: skipped: %s%n", scenario, system, skipped);
        } else if (!windows.isEmpty()) {
            Measurement last = windows.get(windows.size() - 1);
            out.printf(Locale.ROOT, "[%s] %s: %,.0f ops/s, p50 %.2f ms, p99 %.2f ms, %d errors, peak threads %d (+%d); turn took %s%n",
                    scenario, system, last.opsPerSec(), last.percentileMs(50), last.percentileMs(99), last.errors(), last.peakThreads(),
                    last.threadsAdded(), duration(Duration.ofSeconds(took.toSeconds())));
        }
    }

    /** Something worth telling that is not a number. */
    public synchronized void note(String text) {
        endLine();
        out.println("[" + scenario + "] note: " + text);
    }

    /** A line of its own. */
    public synchronized void line(String text) {
        endLine();
        out.println(text);
    }

    private void endLine() {
        if (midLine) {
            out.println();
            midLine = false;
        }
    }

    /** A duration as {@code 10 s} or {@code 500 ms}. */
    public static String duration(Duration d) {
        long millis = d.toMillis();
        if (millis % 1000 == 0) {
            return millis / 1000 + " s";
        }
        return millis >= 1000 ? String.format(Locale.ROOT, "%.1f s", millis / 1000.0) : millis + " ms";
    }
}
