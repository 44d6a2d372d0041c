CREATE SCHEMA IF NOT EXISTS {schema};

CREATE TABLE IF NOT EXISTS {schema}.{prefix}saga (
    saga_id        uuid        PRIMARY KEY,
    name           text        NOT NULL,
    version        int         NOT NULL,
    correlation_id text        NOT NULL,
    input          jsonb       NOT NULL,
    state          text        NOT NULL CHECK (state IN ('RUNNING', 'COMPENSATING', 'COMPLETED', 'ROLLED_BACK', 'COMPENSATION_FAILED')),
    reason         text,
    errors         jsonb,
    owner_id       text,
    lease_until    timestamptz,
    recoveries     int         NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    finished_at    timestamptz
);

CREATE INDEX IF NOT EXISTS {prefix}saga_lease_idx ON {schema}.{prefix}saga (lease_until)
    WHERE state IN ('RUNNING', 'COMPENSATING');

CREATE INDEX IF NOT EXISTS {prefix}saga_correlation_idx ON {schema}.{prefix}saga (correlation_id);

CREATE TABLE IF NOT EXISTS {schema}.{prefix}saga_step (
    saga_id                 uuid        NOT NULL REFERENCES {schema}.{prefix}saga (saga_id) ON DELETE CASCADE,
    step_id                 text        NOT NULL,
    position                int         NOT NULL,
    state                   text        NOT NULL CHECK (state IN ('STARTED', 'COMPLETED', 'FAILED', 'COMPENSATING', 'COMPENSATED', 'COMPENSATION_FAILED')),
    attempts                int         NOT NULL DEFAULT 1,
    pre_image               jsonb,
    result                  jsonb,
    error                   text,
    started_at              timestamptz NOT NULL DEFAULT now(),
    completed_at            timestamptz,
    compensation_started_at timestamptz,
    compensated_at          timestamptz,
    PRIMARY KEY (saga_id, step_id)
);

CREATE TABLE IF NOT EXISTS {schema}.{prefix}saga_intervention (
    saga_id       uuid        PRIMARY KEY REFERENCES {schema}.{prefix}saga (saga_id) ON DELETE CASCADE,
    reason        text        NOT NULL,
    errors        jsonb       NOT NULL,
    queued_at     timestamptz NOT NULL DEFAULT now(),
    retries       int         NOT NULL DEFAULT 0,
    last_retry_at timestamptz,
    resolved_at   timestamptz,
    resolution    text
);

CREATE TABLE IF NOT EXISTS {schema}.{prefix}saga_schema_version (
    version    int         PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO {schema}.{prefix}saga_schema_version (version) VALUES (1) ON CONFLICT DO NOTHING
