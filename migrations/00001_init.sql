-- grantwatch's schema: tenants and their sealed credentials, the per-tenant
-- ledger that Evaluate reads and writes, the history of checks, incidents
-- (one open per tenant and code) and the append-only event log.
--
-- Timestamps are written by the store from its injected clock, so the
-- defaults below only serve hand-written SQL.

-- +goose Up

CREATE TABLE tenants (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    external_id       text        NOT NULL CHECK (external_id <> ''),
    name              text        NOT NULL,
    -- Exactly one of region (an Ironclad region) and base_url (an explicitly
    -- allowed host such as the simulator) says where the tenant lives.
    region            text,
    base_url          text,
    client_id         text        NOT NULL CHECK (client_id <> ''),
    -- The client secret, sealed with AES-256-GCM under the key named by
    -- secret_key_id; the plaintext is never stored.
    secret_key_id     text        NOT NULL CHECK (secret_key_id <> ''),
    secret_sealed     bytea       NOT NULL,
    -- generation starts at 1 and grows by one on every credential rotation;
    -- checks carry it so that an observation made with old credentials is
    -- dropped rather than judged against the new ones.
    generation        bigint      NOT NULL DEFAULT 1 CHECK (generation >= 1),
    acting_user_email text        NOT NULL,
    check_interval    interval    NOT NULL CHECK (check_interval > interval '0'),
    next_check_at     timestamptz NOT NULL DEFAULT now(),
    paused            boolean     NOT NULL DEFAULT false,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    -- Tenants are removed softly so that their history stays queryable.
    removed_at        timestamptz,
    CONSTRAINT tenants_one_location CHECK ((region IS NULL) <> (base_url IS NULL))
);

-- An external id names one live tenant; a removed tenant frees its id.
CREATE UNIQUE INDEX tenants_external_id_live_key ON tenants (external_id) WHERE removed_at IS NULL;

-- The scheduler's only index: finding due tenants costs O(due), not O(tenants).
CREATE INDEX tenants_due_idx ON tenants (next_check_at) WHERE NOT paused AND removed_at IS NULL;

-- One row per tenant holding health.Ledger as JSON. Locking this row is what
-- serialises the checks of one tenant.
CREATE TABLE ledgers (
    tenant_id  bigint      PRIMARY KEY REFERENCES tenants (id),
    ledger     jsonb       NOT NULL DEFAULT '{}',
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The check history: one row per applied observation, with its evidence.
-- Observations made with superseded credentials are dropped, not stored.
CREATE TABLE checks (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id   bigint      NOT NULL REFERENCES tenants (id),
    generation  bigint      NOT NULL,
    client_id   text        NOT NULL,
    observed_at timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    conclusive  boolean     NOT NULL,
    api_calls   integer     NOT NULL CHECK (api_calls >= 0),
    -- health.Observation without its check id (the id column holds it).
    -- Evidence is secret-free by contract.
    observation jsonb       NOT NULL
);

CREATE INDEX checks_tenant_observed_idx ON checks (tenant_id, observed_at DESC);

-- Incidents point at checks by id without foreign keys, so that old checks
-- can be pruned while incidents (far fewer) are kept.
CREATE TABLE incidents (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id         bigint      NOT NULL REFERENCES tenants (id),
    code              text        NOT NULL,
    kind              text        NOT NULL CHECK (kind IN ('A', 'B')),
    capability        text        NOT NULL,
    opened_at         timestamptz NOT NULL,
    last_seen_at      timestamptz NOT NULL,
    resolved_at       timestamptz,
    occurrences       integer     NOT NULL CHECK (occurrences >= 1),
    first_check_id    bigint      NOT NULL,
    last_check_id     bigint      NOT NULL,
    -- Null while open, and also when the incident was closed by removing the
    -- tenant rather than by a check.
    resolved_check_id bigint,
    scopes            text[]      NOT NULL DEFAULT '{}',
    evidence          text        NOT NULL DEFAULT '',
    CONSTRAINT incidents_resolved_by_check CHECK (resolved_check_id IS NULL OR resolved_at IS NOT NULL),
    CONSTRAINT incidents_seen_after_opened CHECK (last_seen_at >= opened_at)
);

-- At most one open incident per tenant and code, enforced by the database.
CREATE UNIQUE INDEX incidents_open_key ON incidents (tenant_id, code) WHERE resolved_at IS NULL;
-- "Which tenants have ICD-103-B open?"
CREATE INDEX incidents_open_by_code_idx ON incidents (code, opened_at DESC) WHERE resolved_at IS NULL;
-- "What happened to this tenant?"
CREATE INDEX incidents_tenant_opened_idx ON incidents (tenant_id, opened_at DESC);
-- "What happened lately?"
CREATE INDEX incidents_opened_idx ON incidents (opened_at DESC);

-- The append-only history of each tenant. There are no per-check rows here:
-- the checks table is the check history.
CREATE TABLE events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id   bigint      NOT NULL REFERENCES tenants (id),
    kind        text        NOT NULL CHECK (kind <> ''),
    code        text,
    capability  text,
    severity    text        NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    scopes      text[]      NOT NULL DEFAULT '{}',
    check_id    bigint,
    incident_id bigint      REFERENCES incidents (id),
    at          timestamptz NOT NULL DEFAULT now(),
    -- summary is health.Event's one-line detail; detail holds structured
    -- facts an adapter adds (which sink failed, whether the client id changed).
    summary     text        NOT NULL DEFAULT '',
    detail      jsonb
);

CREATE INDEX events_tenant_at_idx ON events (tenant_id, at DESC);
CREATE INDEX events_at_idx ON events (at DESC);

-- Events are history: rows may be pruned but never rewritten.
-- +goose StatementBegin
CREATE FUNCTION events_reject_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only';
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER events_append_only BEFORE UPDATE ON events
    FOR EACH ROW EXECUTE FUNCTION events_reject_update();

-- +goose Down

DROP TABLE events;
DROP FUNCTION events_reject_update();
DROP TABLE incidents;
DROP TABLE checks;
DROP TABLE ledgers;
DROP TABLE tenants;
