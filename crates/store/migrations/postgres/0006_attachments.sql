-- Evidence attachments (证据附件): one row per upload. The bytes live on disk
-- under the attachments directory at a path derived from sha256 alone, so
-- identical content is stored once however many rows name it. owner_type and
-- owner_id say what the attachment belongs to (an inspection, a rectification
-- report...), set when it is linked. Kept in step with ../sqlite/0006_attachments.sql.
CREATE TABLE attachments (
    id TEXT PRIMARY KEY NOT NULL,
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    media_type TEXT NOT NULL,
    kind TEXT NOT NULL,
    original_name TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    entity_id TEXT REFERENCES entities (id),
    uploaded_by TEXT REFERENCES users (id),
    uploaded_at TEXT NOT NULL,
    owner_type TEXT,
    owner_id TEXT
);
CREATE INDEX attachments_sha256_idx ON attachments (sha256);
CREATE INDEX attachments_entity_idx ON attachments (entity_id);
CREATE INDEX attachments_owner_idx ON attachments (owner_type, owner_id);
