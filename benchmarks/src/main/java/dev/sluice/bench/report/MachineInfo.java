package dev.sluice.bench.report;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.Objects;

/**
 * The machine and servers a run measured on.
 *
 * @param cores       processors available to the JVM
 * @param memoryBytes physical memory of the machine
 * @param jdk         the JVM's vendor, name and version
 * @param postgres    PostgreSQL's {@code server_version}, or a reason it is unknown
 * @param natsServer  nats-server's version as the server reports it, or a reason it is unknown
 * @param date        when the run started (ISO-8601, UTC)
 * @param loadAverage the system load average over the last minute when the run started (-1 when unknown): a
 *                    hint of how busy the shared machine was
 */
public record MachineInfo(int cores, long memoryBytes, String jdk, String postgres, String natsServer, String date,
                          double loadAverage) {

    public MachineInfo {
        Objects.requireNonNull(jdk, "jdk");
        Objects.requireNonNull(postgres, "postgres");
        Objects.requireNonNull(natsServer, "natsServer");
        Objects.requireNonNull(date, "date");
    }

    /** This JVM's machine, with the server versions given. */
    public static MachineInfo probe(String postgres, String natsServer, Instant start) {
        long memory = -1;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            memory = os.getTotalMemorySize();
        }
        String jdk = System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " "
                + System.getProperty("java.runtime.version");
        return new MachineInfo(Runtime.getRuntime().availableProcessors(), memory, jdk, postgres, natsServer, start.toString(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
}
