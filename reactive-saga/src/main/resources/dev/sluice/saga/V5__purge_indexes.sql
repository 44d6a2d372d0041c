-- What SagaLog.purge reads: finished sagas by their end time, and, for each saga it deletes, the outbox rows and
-- prepared-transaction records its foreign keys cascade to. Without these indexes a purge read the whole saga table
-- per call, and the whole outbox and prepared tables once per saga deleted. Built without CONCURRENTLY (migrations run
-- in one transaction): on a large log, writes to these tables wait while the index builds.
CREATE INDEX IF NOT EXISTS {prefix}saga_finished_idx ON {schema}.{prefix}saga (finished_at)
    WHERE state IN ('COMPLETED', 'ROLLED_BACK');

CREATE INDEX IF NOT EXISTS {prefix}saga_outbox_saga_idx ON {schema}.{prefix}saga_outbox (saga_id);

CREATE INDEX IF NOT EXISTS {prefix}saga_prepared_saga_idx ON {schema}.{prefix}saga_prepared (saga_id);

INSERT INTO {schema}.{prefix}saga_schema_version (version) VALUES (5) ON CONFLICT DO NOTHING
