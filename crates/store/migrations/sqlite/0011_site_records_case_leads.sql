-- The inspection's start and end (现场笔录), the re-inspection that closed an
-- order (复查), and case leads (案源). Kept in step with ../postgres/0011_site_records_case_leads.sql.

-- Time of day on inspected_on, "HH:MM" (Beijing time); NULL for records made before.
ALTER TABLE inspections ADD COLUMN started_at TEXT;
ALTER TABLE inspections ADD COLUMN ended_at TEXT;

-- The re-inspection record that verified the order or found it unresolved.
ALTER TABLE rectifications ADD COLUMN reinspection_id TEXT REFERENCES inspections (id);

CREATE TABLE case_leads (
    id TEXT PRIMARY KEY NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    entity_id TEXT NOT NULL REFERENCES entities (id),
    -- inspection, unresolved_reinspection, overdue_rectification, complaint
    source TEXT NOT NULL,
    -- The record the lead came from (an inspection, an order, a complaint).
    source_id TEXT NOT NULL,
    -- The order a lead follows up: one lead per order at most.
    rectification_id TEXT REFERENCES rectifications (id),
    summary TEXT NOT NULL,
    -- Catalog violation codes of the failed checklist points (JSON array).
    violation_codes TEXT NOT NULL,
    -- open, accepted, dismissed
    status TEXT NOT NULL,
    decision_reason TEXT,
    decided_at TEXT,
    decided_by TEXT,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX case_leads_source_idx ON case_leads (source, source_id);
CREATE UNIQUE INDEX case_leads_rectification_idx ON case_leads (rectification_id);
CREATE INDEX case_leads_region_idx ON case_leads (region_code, status, created_at);
CREATE INDEX case_leads_entity_idx ON case_leads (entity_id, created_at);
