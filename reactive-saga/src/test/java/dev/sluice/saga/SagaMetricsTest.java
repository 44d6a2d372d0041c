package dev.sluice.saga;

import dev.sluice.testkit.NatsServer;
import dev.sluice.testkit.SluiceExtension;
import dev.sluice.testkit.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.Map;

import static dev.sluice.saga.SagaFixture.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(SluiceExtension.class)
class SagaMetricsTest {

    @Test
    void outcomesDurationsAndStepsAreMetered(TestDatabase db, NatsServer nats) {
        SagaFixture fx = new SagaFixture(db, nats, SagaLogConfig.DEFAULT);
        SagaExecutor executor = SagaExecutor.builder(fx.log).ownerId("metrics-test").build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Disposable metrics = SagaMetrics.bind(executor, registry, Duration.ofMillis(100));
        try {
            SagaDefinition ok = SagaDefinition.builder("metered")
                    .step(SagaStep.of("a", ctx -> Mono.just("a")).noCompensation())
                    .step(SagaStep.of("b", ctx -> Mono.just("b")).noCompensation())
                    .build();
            SagaDefinition failing = SagaDefinition.builder("metered-failing")
                    .step(SagaStep.of("a", ctx -> Mono.just("a")).compensateWith((ctx, r) -> Mono.empty()))
                    .step(SagaStep.of("b", ctx -> Mono.<String>error(new IllegalStateException("no"))).noCompensation())
                    .build();
            executor.run(ok, Map.of()).block(WAIT);
            executor.run(ok, Map.of()).block(WAIT);
            executor.run(failing, Map.of()).block(WAIT);

            SagaFixture.await("outcomes counted", WAIT, () -> registry.find("sluice.saga.outcomes").counters().stream()
                    .mapToDouble(c -> c.count()).sum() == 3);
            assertThat(registry.get("sluice.saga.outcomes").tag("saga", "metered").tag("outcome", "completed").counter().count()).isEqualTo(2);
            assertThat(registry.get("sluice.saga.outcomes").tag("saga", "metered-failing").tag("outcome", "rolled_back").counter().count()).isEqualTo(1);
            assertThat(registry.get("sluice.saga.duration").tag("saga", "metered").timer().count()).isEqualTo(2);
            assertThat(registry.get("sluice.saga.steps").tag("saga", "metered").tag("step", "b").tag("result", "completed").timer().count()).isEqualTo(2);
            assertThat(registry.get("sluice.saga.steps").tag("saga", "metered-failing").tag("step", "b").tag("result", "failed").timer().count()).isEqualTo(1);
            assertThat(registry.get("sluice.saga.compensations").tag("step", "a").tag("result", "compensated").timer().count()).isEqualTo(1);
            assertThat(registry.get("sluice.saga.intervention.queue").gauge().value()).isZero();
        } finally {
            metrics.dispose();
            executor.close();
            fx.close();
        }
    }
}
