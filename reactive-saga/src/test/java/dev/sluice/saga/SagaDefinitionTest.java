package dev.sluice.saga;

import dev.sluice.pool.config.ConfigException;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SagaDefinitionTest {

    private static SagaStep step(String id) {
        return SagaStep.of(id, ctx -> Mono.just(id)).noCompensation();
    }

    @Test
    void aDefinitionWithoutStepsIsRefusedWhenBuilt() {
        assertThatThrownBy(() -> SagaDefinition.builder("empty").build())
                .isInstanceOf(SagaDefinitionException.class)
                .hasMessageContaining("saga 'empty' has no steps");
    }

    @Test
    void duplicateStepIdsAreRefusedWhenBuilt() {
        assertThatThrownBy(() -> SagaDefinition.builder("dup").step(step("a")).parallel(step("b"), step("a")).build())
                .isInstanceOf(SagaDefinitionException.class)
                .hasMessageContaining("two steps with id 'a'");
    }

    @Test
    void aStepWithoutCompensationOrDeclarationIsRefusedWhenBuilt() {
        SagaStep undeclared = SagaStep.of("charge", ctx -> Mono.just(1));
        assertThatThrownBy(() -> SagaDefinition.builder("pay").step(undeclared).build())
                .isInstanceOf(SagaDefinitionException.class)
                .hasMessageContaining("step 'charge' has no compensation")
                .hasMessageContaining("noCompensation()");
    }

    @Test
    void aSqlStepWithoutCompensationOrDeclarationIsRefusedWhenBuilt() {
        dev.sluice.pool.PgPool pool = dev.sluice.pool.PgPool.create(dev.sluice.pool.PgPoolConfig.builder("unused")
                .host("127.0.0.1").port(5432).database("unused").user("unused").build());
        SagaStep insert = SagaStep.sql("insert", pool).update("INSERT INTO t VALUES (1)", ctx -> new Object[0]).build();
        assertThatThrownBy(() -> SagaDefinition.builder("sql").step(insert).build())
                .isInstanceOf(SagaDefinitionException.class)
                .hasMessageContaining("step 'insert' has no compensation");
        assertThatThrownBy(() -> SagaStep.sql("none", pool).build())
                .isInstanceOf(SagaDefinitionException.class)
                .hasMessageContaining("has no statement");
    }

    @Test
    void namesAndStepIdsWithUnsafeCharactersAreRefused() {
        assertThatThrownBy(() -> SagaDefinition.builder("drop table; --")).isInstanceOf(SagaDefinitionException.class)
                .hasMessageContaining("saga name 'drop table; --' is not allowed");
        assertThatThrownBy(() -> SagaStep.of("a b", ctx -> Mono.empty())).isInstanceOf(SagaDefinitionException.class)
                .hasMessageContaining("step id 'a b' is not allowed");
        assertThatThrownBy(() -> new SagaLogConfig("public; drop", "x-")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("saga log: schema = 'public; drop'")
                .hasMessageContaining("saga log: tablePrefix = 'x-'");
    }

    @Test
    void stagesKeepOrderAndGroups() {
        SagaDefinition definition = SagaDefinition.builder("order").version(3)
                .step(step("a")).parallel(step("b"), step("c")).step(step("d")).build();
        assertThat(definition.version()).isEqualTo(3);
        assertThat(definition.stages()).hasSize(3);
        assertThat(definition.stages().get(1)).extracting(SagaStep::id).containsExactly("b", "c");
        assertThat(definition.steps()).extracting(SagaStep::id).containsExactly("a", "b", "c", "d");
    }
}
