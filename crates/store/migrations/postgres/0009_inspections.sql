-- Inspection records (监督检查记录), rectification orders (责令整改) and the
-- institution's rectification report. Kept in step with ../sqlite/0009_inspections.sql.

CREATE TABLE inspections (
    id TEXT PRIMARY KEY NOT NULL,
    task_id TEXT NOT NULL REFERENCES inspection_tasks (id),
    entity_id TEXT NOT NULL REFERENCES entities (id),
    region_code TEXT NOT NULL REFERENCES regions (code),
    inspected_on TEXT NOT NULL,
    place TEXT NOT NULL,
    inspector1_id TEXT NOT NULL REFERENCES inspectors (id),
    inspector2_id TEXT NOT NULL REFERENCES inspectors (id),
    -- Checklist results: [{item, point, result, note}] (JSON).
    results TEXT NOT NULL,
    findings TEXT NOT NULL,
    party_signature TEXT NOT NULL,
    party_name TEXT,
    outcome TEXT NOT NULL,
    -- Attachment ids (JSON array): photos, audio, video, documents.
    attachments TEXT NOT NULL,
    recorded_by TEXT,
    created_at TEXT NOT NULL,
    -- 一公开: when the result of a random inspection went on the public portal.
    published_at TEXT
);
CREATE UNIQUE INDEX inspections_task_idx ON inspections (task_id);
CREATE INDEX inspections_entity_idx ON inspections (entity_id, inspected_on);
CREATE INDEX inspections_region_idx ON inspections (region_code, inspected_on);
CREATE INDEX inspections_published_idx ON inspections (published_at, region_code);

CREATE TABLE rectifications (
    id TEXT PRIMARY KEY NOT NULL,
    inspection_id TEXT NOT NULL REFERENCES inspections (id),
    entity_id TEXT NOT NULL REFERENCES entities (id),
    region_code TEXT NOT NULL REFERENCES regions (code),
    content TEXT NOT NULL,
    ordered_on TEXT NOT NULL,
    deadline TEXT NOT NULL,
    status TEXT NOT NULL,
    report TEXT,
    report_attachments TEXT NOT NULL,
    reported_at TEXT,
    reinspection_task_id TEXT REFERENCES inspection_tasks (id),
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX rectifications_entity_idx ON rectifications (entity_id, status);
CREATE INDEX rectifications_region_idx ON rectifications (region_code, status, deadline);
