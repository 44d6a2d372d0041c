package dev.sluice.testkit;

/**
 * Started in a separate JVM by {@link OrphanCleanupTest}: starts both embedded servers, prints their pids
 * and directories, then waits to be killed.
 */
public final class OrphanProbeMain {
    private OrphanProbeMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        EmbeddedNats nats = EmbeddedNats.start();
        EmbeddedPostgresServer pg = EmbeddedPostgresServer.builder().start();
        System.out.println("READY " + nats.pid() + " " + pg.pid() + " " + nats.storeDirectory().getParent() + " "
                + pg.dataDirectory().getParent());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
