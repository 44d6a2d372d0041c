package dev.sluice.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;

/**
 * Turns a cold copy of a stopped primary's data directory into a streaming standby's: the same steps
 * {@code pg_basebackup -R} takes, without needing a {@code pg_basebackup} of the server's version.
 */
final class StandbyDataDirectory {

    /** Files of a running server that must not travel with the copy (the copy's server writes its own). */
    private static final Set<String> LEFT_BEHIND = Set.of("postmaster.pid", "postmaster.opts", "epg-lock");

    private StandbyDataDirectory() {
    }

    /**
     * Copies the data directory of a stopped primary into a new temporary directory (keeping permissions: the
     * server refuses a data directory readable by others), leaves out the files above and the primary's
     * replication slots, then writes {@code standby.signal} and appends {@code primary_conninfo} and
     * {@code primary_slot_name} to {@code postgresql.auto.conf}. Blocking.
     *
     * @param primaryData the primary's data directory; the primary must be stopped
     * @param primaryPort the primary's port on 127.0.0.1, where the standby streams from as {@code postgres}
     * @param slotName    the physical replication slot on the primary reserved for this standby
     * @return the new data directory; nothing is left behind when copying fails
     * @throws IOException when copying or writing fails
     */
    static Path copyOf(Path primaryData, int primaryPort, String slotName) throws IOException {
        Path copy = Files.createTempDirectory("sluice-pg-replica-");
        try {
            Files.setPosixFilePermissions(copy, Files.getPosixFilePermissions(primaryData));
            copyTree(primaryData, copy);
            Files.createFile(copy.resolve("standby.signal"));
            Files.writeString(copy.resolve("postgresql.auto.conf"),
                    "# Sluice testkit: a streaming replica of the primary on 127.0.0.1:" + primaryPort + "\n"
                            + "primary_conninfo = 'host=127.0.0.1 port=" + primaryPort + " user=postgres application_name="
                            + slotName + "'\n"
                            + "primary_slot_name = '" + slotName + "'\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return copy;
        } catch (IOException | RuntimeException e) {
            EmbeddedNats.deleteRecursively(copy);
            throw e;
        }
    }

    private static void copyTree(Path source, Path target) throws IOException {
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (dir.equals(source)) {
                    return FileVisitResult.CONTINUE;
                }
                Files.copy(dir, target.resolve(source.relativize(dir)), StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                return dir.getFileName().toString().equals("pg_replslot") ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                boolean topLevel = file.getParent().equals(source);
                if (!(topLevel && LEFT_BEHIND.contains(file.getFileName().toString()))) {
                    Files.copy(file, target.resolve(source.relativize(file)), StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
