package dev.sluice.demo;

import dev.sluice.health.AlertEvent;
import dev.sluice.health.AlertRules;
import dev.sluice.health.HealthConfig;
import dev.sluice.health.HealthMonitor;
import dev.sluice.health.http.HealthEndpoint;
import dev.sluice.pool.PgPool;
import dev.sluice.saga.SagaExecutor;
import dev.sluice.saga.SagaHealthChecks;
import dev.sluice.saga.SagaLog;
import dev.sluice.saga.SagaLogConfig;
import dev.sluice.pool.PgPoolConfig;
import dev.sluice.pool.PoolRegistry;
import dev.sluice.pool.PoolRole;
import dev.sluice.pool.RegistryConfig;
import dev.sluice.pool.SslMode;
import dev.sluice.pool.kv.KvStorage;
import dev.sluice.pool.kv.NatsConfig;
import dev.sluice.testkit.TestDatabase;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The end-to-end demonstration behind {@code ./run demo}: real PostgreSQL and NATS servers, a registry with a primary
 * pool, an analytics pool and a KV bucket, a workload that rises until the primary pool saturates and then falls back,
 * the health endpoint on 127.0.0.1, and a live view of the health samples and alerts in the terminal, then a summary
 * and a clean shutdown. Options: {@link DemoOptions}.
 */
public final class Demo {

    private static final Duration FOR_DURATION_CAP = Duration.ofSeconds(3);
    /** The demo's saga log lives in its own schema, dropped at the end (also on a user's own server). */
    private static final SagaLogConfig SAGA_LOG = new SagaLogConfig("sluice_demo_sagas", "");
    private static final int PRIMARY_SIZE = 6;

    private final DemoOptions options;
    private final Map<String, String> env;
    private final PrintStream out;
    private final Sinks.Empty<Void> stop = Sinks.empty();

    private Demo(DemoOptions options, Map<String, String> env, PrintStream out) {
        this.options = options;
        this.env = env;
        this.out = out;
    }

    /** Runs the demo and exits with its status: 0 after a clean run, 1 when it could not run, 2 for bad options. */
    public static void main(String[] args) {
        AtomicBoolean interrupted = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        Sinks.Empty<Void> ctrlC = Sinks.empty();
        Thread hook = new Thread(() -> {
            interrupted.set(true);
            ctrlC.tryEmitEmpty();
            try {
                finished.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "sluice-demo-ctrl-c");
        Runtime.getRuntime().addShutdownHook(hook);
        int status = run(args, System.getenv(), System.out, ctrlC.asMono());
        finished.countDown();
        if (!interrupted.get()) {
            Runtime.getRuntime().removeShutdownHook(hook);
            System.exit(status);
        }
    }

    /**
     * Runs the demo with these arguments and environment, printing to {@code out}, until its duration is over or
     * {@code interrupt} completes. Blocking.
     *
     * @return 0 after a clean run, 1 when it could not run (the reason is printed), 2 for bad options
     */
    public static int run(String[] args, Map<String, String> env, PrintStream out, Mono<Void> interrupt) {
        DemoOptions options;
        try {
            options = DemoOptions.parse(args, env);
        } catch (DemoOptions.BadOption e) {
            out.println("demo: " + e.getMessage());
            out.println(DemoOptions.USAGE);
            return 2;
        }
        Demo demo = new Demo(options, env, out);
        Disposable relay = interrupt.subscribe(null, null, demo.stop::tryEmitEmpty);
        try {
            return demo.run();
        } finally {
            relay.dispose();
        }
    }

    private int run() {
        out.println("Sluice demo: starting PostgreSQL and NATS ...");
        DemoServers servers;
        try {
            servers = DemoServers.start(env);
        } catch (RuntimeException e) {
            out.println("demo: could not start the servers: " + e.getMessage());
            return 1;
        }
        try (servers) {
            return runWith(servers);
        }
    }

    private int runWith(DemoServers servers) {
        String bucket = "sluice_demo_sessions";
        String carts = "sluice_demo_carts";
        PoolRegistry registry = PoolRegistry.create(RegistryConfig.builder()
                .pool(pool("primary", servers.database()).role(PoolRole.PRIMARY).minConnections(2).maxConnections(PRIMARY_SIZE).build())
                .pool(pool("analytics", servers.database()).role(PoolRole.ANALYTICS).minConnections(1).maxConnections(2)
                        .serverSetting("work_mem", "64MB").build())
                .kv(NatsConfig.builder().servers(servers.natsUrl())
                        .bucket(bucket, b -> b.storage(KvStorage.MEMORY).ttl(Duration.ofMinutes(10)).history(1))
                        .bucket(carts, b -> b.storage(KvStorage.MEMORY).ttl(Duration.ofMinutes(10)).history(5)).build())
                .build());
        try {
            registry.start().block(Duration.ofSeconds(60));
            registry.writes().update(OrderTraffic.CREATE).block(Duration.ofSeconds(10));
            registry.writes().update(CheckoutSagas.CREATE).block(Duration.ofSeconds(10));
            if (servers.ownsPostgres()) {
                // the embedded server preloads pg_stat_statements; the extension is created per database
                registry.writes().update("CREATE EXTENSION IF NOT EXISTS pg_stat_statements").block(Duration.ofSeconds(10));
            }
            SagaLog sagaLog = SagaLog.create(registry.writes(), SAGA_LOG);
            sagaLog.migrate().block(Duration.ofSeconds(30));
            try (SagaExecutor sagas = SagaExecutor.builder(sagaLog).build()) {
                return demonstrate(servers, registry, bucket, sagaLog, new CheckoutSagas(sagas, registry.writes(), registry.kv(carts)));
            }
        } catch (RuntimeException e) {
            out.println("demo: " + e.getMessage());
            return 1;
        } finally {
            registry.writes().update("DROP TABLE IF EXISTS " + OrderTraffic.TABLE).onErrorResume(e -> Mono.empty()).block(Duration.ofSeconds(10));
            registry.writes().update("DROP TABLE IF EXISTS " + CheckoutSagas.TABLE).onErrorResume(e -> Mono.empty()).block(Duration.ofSeconds(10));
            registry.writes().update("DROP SCHEMA IF EXISTS " + SAGA_LOG.schema() + " CASCADE").onErrorResume(e -> Mono.empty())
                    .block(Duration.ofSeconds(10));
            registry.close();
        }
    }

    private int demonstrate(DemoServers servers, PoolRegistry registry, String bucket, SagaLog sagaLog, CheckoutSagas checkouts) {
        List<AlertEvent> alerts = new CopyOnWriteArrayList<>();
        PgPool primary = registry.writes();
        PgPool analytics = registry.pool("analytics");
        Workload workload = new Workload(
                List.of(new OrderTraffic(primary), new OrderTraffic(primary), new SessionTraffic(registry.kv(bucket)), checkouts),
                List.of(new ReportTraffic(analytics)), Duration.ofMillis(300),
                new LoadShape(2, PRIMARY_SIZE * 3, options.duration()));
        Console console = new Console(out, workload::callers);
        HealthConfig config = HealthConfig.builder()
                .interval(options.interval())
                .rules(AlertRules.defaults().map(rule -> rule.forDuration().compareTo(FOR_DURATION_CAP) > 0 ? rule.withForDuration(FOR_DURATION_CAP) : rule))
                .noSinks()
                // the saga log's outbox, intervention queue and leases, wired here: the saga module knows nothing of health
                .checks(SagaHealthChecks.of(sagaLog).all())
                .outsideReadiness(SagaHealthChecks.KINDS)
                .build();
        Disposable.Composite views = Disposables.composite();
        try (HealthMonitor monitor = HealthMonitor.create(registry, config)) {
            views.add(monitor.alerts().subscribe(event -> {
                alerts.add(event);
                console.alert(event);
            }));
            monitor.start().block(Duration.ofSeconds(30));
            try (HealthEndpoint endpoint = HealthEndpoint.builder(monitor).host("127.0.0.1").port(options.port()).start().block(Duration.ofSeconds(10))) {
                String version = primary.queryOne("SHOW server_version", row -> row.get(0, String.class)).block(Duration.ofSeconds(5));
                console.line("servers: " + servers.describe() + " (PostgreSQL " + version + ")");
                console.line("pools: primary (primary, 2 to " + PRIMARY_SIZE + " connections), analytics (analytics, 1 to 2); KV bucket " + bucket);
                console.line("health: every " + Console.millis(options.interval()).trim() + "; default alert rules, for-durations cut to at most "
                        + FOR_DURATION_CAP.toSeconds() + " s so they show within the run");
                console.line("endpoint: " + endpoint.uri("/health") + "  (also /health/live, /health/ready, /metrics)");
                console.line("stream:   curl -N " + endpoint.uri("/health/stream"));
                console.line("running for " + options.duration().toSeconds() + " s: the load rises from 2 to " + PRIMARY_SIZE * 3
                        + " callers on a primary pool of " + PRIMARY_SIZE + ", holds, then falls back (Ctrl-C ends early)");
                console.line("");
                console.line("acq avg: mean acquire wait over the last minute; acq p95: since the pool started; check: this round's SELECT 1");
                console.header();
                long start = System.nanoTime();
                workload.start();
                views.add(monitor.reports().skip(1).subscribe(console::round));
                Mono.firstWithSignal(Mono.delay(options.duration()).then(), stop.asMono()).block();
                Duration ran = Duration.ofNanos(System.nanoTime() - start);
                workload.close();
                views.dispose();
                Summary.print(console, ran, monitor, workload, alerts);
                console.line(checkouts.summary());
            }
            console.line("shut down: endpoint closed, health monitor stopped; closing pools, KV and servers");
            return 0;
        } finally {
            views.dispose();
            workload.close();
        }
    }

    private static PgPoolConfig.Builder pool(String name, TestDatabase db) {
        return PgPoolConfig.builder(name)
                .host(db.host()).port(db.port()).database(db.database()).user(db.user()).password(db.password())
                .sslMode(SslMode.PREFER)
                .acquireTimeout(Duration.ofSeconds(2))
                .shutdownGracePeriod(Duration.ofSeconds(2));
    }
}
