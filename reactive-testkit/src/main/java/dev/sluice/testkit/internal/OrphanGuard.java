package dev.sluice.testkit.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes sure a server started by the testkit does not outlive the JVM that started it, even when that
 * JVM is killed with {@code SIGKILL} and no shutdown hook runs.
 *
 * <p>For each guarded server a tiny watchdog shell, in its own session, polls the JVM's pid once a second;
 * when the JVM is gone it runs the server's clean-up (kill the process, remove its directory). A normal
 * stop cancels the watchdog.
 */
public final class OrphanGuard implements AutoCloseable {

    private final Process watchdog;

    private OrphanGuard(Process watchdog) {
        this.watchdog = watchdog;
    }

    /**
     * Starts a watchdog that runs {@code cleanupShell} (a POSIX shell snippet) once this JVM has exited.
     *
     * @param cleanupShell what to run, for example {@code kill -9 1234; rm -rf /tmp/x}
     */
    public static OrphanGuard start(String cleanupShell) {
        long jvm = ProcessHandle.current().pid();
        String script = "trap '' HUP INT; while kill -0 " + jvm + " 2>/dev/null; do sleep 1; done; " + cleanupShell;
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            command.add("/usr/bin/setsid");
        }
        command.addAll(List.of("/bin/sh", "-c", script));
        try {
            Process p = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return new OrphanGuard(p);
        } catch (IOException e) {
            throw new IllegalStateException("could not start the orphan watchdog (/bin/sh): " + e.getMessage(), e);
        }
    }

    /** The shell snippet that kills a process and everything below it, then removes a directory. */
    public static String killAndRemove(long pid, Path directory) {
        return "kill -9 " + pid + " 2>/dev/null; sleep 1; rm -rf '" + directory.toAbsolutePath() + "'";
    }

    /** Cancels the watchdog: the guarded server was stopped normally. */
    @Override
    public void close() {
        watchdog.destroy();
    }
}
