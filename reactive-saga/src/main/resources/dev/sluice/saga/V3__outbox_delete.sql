-- An outbox row without a value is a delete: the relay writes a delete marker for its key.
ALTER TABLE {schema}.{prefix}saga_outbox ALTER COLUMN value DROP NOT NULL;

INSERT INTO {schema}.{prefix}saga_schema_version (version) VALUES (3) ON CONFLICT DO NOTHING
