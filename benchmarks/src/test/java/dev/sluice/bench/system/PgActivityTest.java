package dev.sluice.bench.system;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PgActivityTest {

    private static PgActivity.TableWrites writes(long inserted, long updated, long deleted) {
        return new PgActivity.TableWrites(inserted, updated, deleted);
    }

    @Test
    void differenceCountsOnlyWhatHappenedBetweenTheReadings() {
        PgActivity before = new PgActivity(100, Map.of("public.orders", writes(10, 0, 0), "log.saga", writes(20, 20, 0),
                "public.idle", writes(5, 5, 5)));
        PgActivity after = new PgActivity(130, Map.of("public.orders", writes(20, 0, 0), "log.saga", writes(40, 40, 1),
                "public.idle", writes(5, 5, 5)));

        PgActivity turn = after.since(before);

        assertThat(turn.commits()).isEqualTo(30);
        assertThat(turn.tables()).containsOnlyKeys("public.orders", "log.saga");
        assertThat(turn.rowsInserted()).isEqualTo(30);
        assertThat(turn.rowsUpdated()).isEqualTo(20);
        assertThat(turn.rowsDeleted()).isEqualTo(1);
        assertThat(turn.rowsWritten()).isEqualTo(51);
    }

    @Test
    void aTableCreatedBetweenTheReadingsCountsFromZeroAndADroppedOneIsLeftOut() {
        PgActivity before = new PgActivity(0, Map.of("public.dropped", writes(7, 0, 0)));
        PgActivity after = new PgActivity(4, Map.of("dbos.workflow_status", writes(3, 1, 0)));

        PgActivity turn = after.since(before);

        assertThat(turn.tables()).containsExactly(Map.entry("dbos.workflow_status", writes(3, 1, 0)));
        assertThat(turn.rowsWritten()).isEqualTo(4);
    }

    @Test
    void turnsOfOneSystemAddUp() {
        PgActivity first = new PgActivity(10, Map.of("public.orders", writes(5, 0, 0)));
        PgActivity second = new PgActivity(12, Map.of("public.orders", writes(6, 1, 0), "log.step", writes(2, 0, 0)));

        PgActivity both = PgActivity.NONE.plus(first).plus(second);

        assertThat(both.commits()).isEqualTo(22);
        assertThat(both.tables()).containsOnly(Map.entry("public.orders", writes(11, 1, 0)), Map.entry("log.step", writes(2, 0, 0)));
    }

    @Test
    void perOperationDividesEveryCountByTheOperations() {
        PgActivity turn = new PgActivity(1_600, Map.of("dbos.workflow_status", writes(100, 100, 0),
                "dbos.operation_outputs", writes(300, 0, 0), "public.orders", writes(100, 0, 0)));

        Map<String, Object> details = turn.perOperation(100);

        assertThat(details).containsEntry("operations", 100L).containsEntry("commits", 1_600L).containsEntry("rowsWritten", 600L)
                .containsEntry("commitsPerOp", 16.0).containsEntry("rowsWrittenPerOp", 6.0)
                .containsEntry("rowsInsertedPerOp", 5.0).containsEntry("rowsUpdatedPerOp", 1.0).containsEntry("rowsDeletedPerOp", 0.0);
        assertThat(details.get("rowsWrittenPerOpByTable")).isEqualTo(Map.of("dbos.operation_outputs", 3.0,
                "dbos.workflow_status", 2.0, "public.orders", 1.0));
        assertThat(((Map<?, ?>) details.get("rowsWrittenPerOpByTable")).keySet().stream().map(Object::toString).toList())
                .containsExactly("dbos.operation_outputs", "dbos.workflow_status", "public.orders");
    }

    @Test
    void perOperationRoundsToThreeDecimals() {
        Map<String, Object> details = new PgActivity(8_324, Map.of("log.saga", writes(0, 2, 0))).perOperation(6_562);

        assertThat(details).containsEntry("commitsPerOp", 1.269).containsEntry("rowsWrittenPerOp", 0.0);
    }

    @Test
    void withoutOperationsOnlyTheTotalsAreGiven() {
        Map<String, Object> details = new PgActivity(3, Map.of("log.saga", writes(1, 0, 0))).perOperation(0);

        assertThat(details).containsOnlyKeys("operations", "commits", "rowsWritten");
    }

    @Test
    void negativeOperationsAreRefusedWithTheValue() {
        assertThatThrownBy(() -> PgActivity.NONE.perOperation(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("operations").hasMessageContaining("-1");
    }
}
