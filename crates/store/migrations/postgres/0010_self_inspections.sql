-- 自查 (self-inspection): a campaign a bureau opens for a supervision specialty,
-- the entities obliged to report (fixed when it opens, so later registry
-- changes do not move the goalposts), and each entity's one report.
-- Kept in step with ../sqlite/0010_self_inspections.sql.

CREATE TABLE self_inspection_campaigns (
    id TEXT PRIMARY KEY NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    title TEXT NOT NULL,
    -- The supervision specialty (registry vocabulary) and the entity categories (JSON array).
    specialty TEXT NOT NULL,
    categories TEXT NOT NULL,
    -- What to check and what to report.
    requirements TEXT NOT NULL,
    -- Optionally a published inspection item list and the items (JSON array of codes)
    -- whose checklist points each report answers.
    item_list_id TEXT REFERENCES inspection_item_lists (id),
    items TEXT NOT NULL,
    opened_on TEXT NOT NULL,
    deadline TEXT NOT NULL,
    status TEXT NOT NULL,
    opened_by TEXT,
    closed_at TEXT,
    closed_by TEXT,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX self_inspection_campaigns_region_idx ON self_inspection_campaigns (region_code, status);

CREATE TABLE self_inspection_obligations (
    campaign_id TEXT NOT NULL REFERENCES self_inspection_campaigns (id),
    entity_id TEXT NOT NULL REFERENCES entities (id),
    -- The entity's region when the campaign opened.
    region_code TEXT NOT NULL REFERENCES regions (code),
    PRIMARY KEY (campaign_id, entity_id)
);
CREATE INDEX self_inspection_obligations_entity_idx ON self_inspection_obligations (entity_id);

CREATE TABLE self_inspection_reports (
    id TEXT PRIMARY KEY NOT NULL,
    campaign_id TEXT NOT NULL REFERENCES self_inspection_campaigns (id),
    entity_id TEXT NOT NULL REFERENCES entities (id),
    region_code TEXT NOT NULL REFERENCES regions (code),
    problems TEXT NOT NULL,
    measures TEXT NOT NULL,
    -- Checklist results: [{item, point, result, note}] (JSON).
    results TEXT NOT NULL,
    -- Attachment ids (JSON array).
    attachments TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    submitted_by TEXT,
    status TEXT NOT NULL,
    review_comment TEXT,
    reviewed_at TEXT,
    reviewed_by TEXT,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX self_inspection_reports_entity_idx ON self_inspection_reports (campaign_id, entity_id);
CREATE INDEX self_inspection_reports_region_idx ON self_inspection_reports (region_code, status);
