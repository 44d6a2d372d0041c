package dev.sluice.testkit;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class OrphanCleanupTest {

    @Test
    void serversDieWithAJvmKilledBySigkill() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"), OrphanProbeMain.class.getName()))
                .redirectErrorStream(true)
                .start();
        String[] ready = null;
        StringBuilder output = new StringBuilder();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                output.append(line).append('\n');
                if (line.startsWith("READY ")) {
                    ready = line.split(" ");
                    break;
                }
            }
            assertThat(ready).as("child JVM output:\n%s", output).isNotNull();
            long natsPid = Long.parseLong(ready[1]);
            long pgPid = Long.parseLong(ready[2]);
            Path natsDir = Path.of(ready[3]);
            Path pgDir = Path.of(ready[4]);
            assertThat(ProcessHandle.of(natsPid)).isPresent();
            assertThat(ProcessHandle.of(pgPid)).isPresent();

            child.destroyForcibly();
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline && (alive(natsPid) || alive(pgPid) || natsDir.toFile().exists() || pgDir.toFile().exists())) {
                Thread.sleep(200);
            }
            assertThat(alive(natsPid)).as("nats-server %d still running", natsPid).isFalse();
            assertThat(alive(pgPid)).as("postmaster %d still running", pgPid).isFalse();
            assertThat(natsDir).doesNotExist();
            assertThat(pgDir).doesNotExist();
        } finally {
            child.destroyForcibly();
        }
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
