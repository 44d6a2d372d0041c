CREATE TABLE IF NOT EXISTS {schema}.{prefix}saga_prepared (
    gid         text        PRIMARY KEY,
    saga_id     uuid        NOT NULL REFERENCES {schema}.{prefix}saga (saga_id) ON DELETE CASCADE,
    state       text        NOT NULL CHECK (state IN ('PREPARING', 'PREPARED', 'COMMITTING', 'COMMITTED', 'ROLLED_BACK')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz
);

CREATE TABLE IF NOT EXISTS {schema}.{prefix}saga_outbox (
    id           bigserial   PRIMARY KEY,
    saga_id      uuid        NOT NULL REFERENCES {schema}.{prefix}saga (saga_id) ON DELETE CASCADE,
    step_id      text        NOT NULL,
    bucket       text        NOT NULL,
    key          text        NOT NULL,
    value        bytea       NOT NULL,
    message_id   text        NOT NULL UNIQUE,
    attempts     int         NOT NULL DEFAULT 0,
    last_error   text,
    revision     bigint,
    created_at   timestamptz NOT NULL DEFAULT now(),
    delivered_at timestamptz
);

CREATE INDEX IF NOT EXISTS {prefix}saga_outbox_pending_idx ON {schema}.{prefix}saga_outbox (bucket, key, id)
    WHERE delivered_at IS NULL;

INSERT INTO {schema}.{prefix}saga_schema_version (version) VALUES (2) ON CONFLICT DO NOTHING
