-- Example migration: tenant isolation with PostgreSQL row-level security, for PgPool.withTenant(...).
--
-- PgPool.withTenant(tenantId, work) runs `SELECT set_config('app.tenant_id', $1, true)` first in each
-- transaction; the policies below read it. The setting is local to the transaction: it can neither outlive
-- it nor reach the next user of the pooled connection, and without it no row is visible at all.
--
-- Run it as the table owner. The application connects as sluice_app, which is not the owner, is not a
-- superuser and does not have BYPASSRLS; FORCE makes the policies apply even to the owner.

DO $$
BEGIN
    CREATE ROLE sluice_app LOGIN NOSUPERUSER NOBYPASSRLS;
EXCEPTION WHEN duplicate_object THEN
    NULL;
END
$$;

CREATE TABLE documents (
    id        bigserial PRIMARY KEY,
    tenant_id text NOT NULL DEFAULT current_setting('app.tenant_id', true),
    body      text NOT NULL
);
CREATE INDEX documents_tenant ON documents (tenant_id);

ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE documents FORCE ROW LEVEL SECURITY;

-- Reads, updates and deletes see only the current tenant's rows; inserts and updates may only write them.
CREATE POLICY documents_tenant_isolation ON documents
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

GRANT SELECT, INSERT, UPDATE, DELETE ON documents TO sluice_app;
GRANT USAGE ON SEQUENCE documents_id_seq TO sluice_app;
