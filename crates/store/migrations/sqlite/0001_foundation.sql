-- Foundation: regions, organisation, accounts, sessions, audit chain.
-- Kept in step with ../postgres/0001_foundation.sql by the schema-parity test.

CREATE TABLE regions (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    parent_code TEXT REFERENCES regions (code),
    level TEXT NOT NULL,
    path TEXT NOT NULL
);
CREATE INDEX regions_parent_idx ON regions (parent_code);
CREATE INDEX regions_path_idx ON regions (path);

CREATE TABLE units (
    id TEXT PRIMARY KEY NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent_unit_id TEXT REFERENCES units (id),
    phone TEXT,
    address TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX units_region_idx ON units (region_code);
CREATE UNIQUE INDEX units_region_name_idx ON units (region_code, name);

CREATE TABLE sections (
    id TEXT PRIMARY KEY NOT NULL,
    unit_id TEXT NOT NULL REFERENCES units (id),
    region_code TEXT NOT NULL REFERENCES regions (code),
    name TEXT NOT NULL,
    duty TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX sections_unit_idx ON sections (unit_id);
CREATE UNIQUE INDEX sections_unit_name_idx ON sections (unit_id, name);

-- Supervised entities; issue 4 extends this table with the registry's attributes.
CREATE TABLE entities (
    id TEXT PRIMARY KEY NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    name TEXT NOT NULL,
    uscc TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX entities_region_idx ON entities (region_code);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    username TEXT NOT NULL,
    name TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    unit_id TEXT REFERENCES units (id),
    section_id TEXT REFERENCES sections (id),
    entity_id TEXT REFERENCES entities (id),
    phone TEXT,
    password_hash TEXT NOT NULL,
    must_change_password INTEGER NOT NULL,
    status TEXT NOT NULL,
    password_changed_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX users_username_idx ON users (username);
CREATE INDEX users_region_idx ON users (region_code);
CREATE INDEX users_unit_idx ON users (unit_id);
CREATE INDEX users_entity_idx ON users (entity_id);

-- One row per role held; the first version gives each user one.
CREATE TABLE user_roles (
    user_id TEXT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    PRIMARY KEY (user_id, role)
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    ip TEXT,
    user_agent TEXT,
    revoked_at TEXT
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);
CREATE UNIQUE INDEX api_tokens_hash_idx ON api_tokens (token_hash);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

CREATE TABLE login_failures (
    id TEXT PRIMARY KEY NOT NULL,
    username TEXT NOT NULL,
    ip TEXT NOT NULL,
    occurred_at TEXT NOT NULL
);
CREATE INDEX login_failures_username_idx ON login_failures (username, occurred_at);
CREATE INDEX login_failures_ip_idx ON login_failures (ip, occurred_at);

-- The audit trail: a SHA-256 hash chain ordered by seq. Append-only.
CREATE TABLE audit_events (
    seq INTEGER PRIMARY KEY NOT NULL,
    id TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    user_id TEXT,
    username TEXT,
    unit_id TEXT,
    region_code TEXT,
    ip TEXT,
    request_id TEXT,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    summary TEXT NOT NULL,
    before_digest TEXT,
    after_digest TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE UNIQUE INDEX audit_events_id_idx ON audit_events (id);
CREATE INDEX audit_events_object_idx ON audit_events (object_type, object_id);

-- The chain head: the single row writers lock, so events get gapless seqs.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY NOT NULL,
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
