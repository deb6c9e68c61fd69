-- 专项检查 (special campaigns): a named campaign of a region with its published
-- item list, a period and a target filter (a category and attribute values);
-- its tasks name it. Kept in step with ../postgres/0017_inspection_campaigns.sql.

CREATE TABLE inspection_campaigns (
    id TEXT PRIMARY KEY NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    name TEXT NOT NULL,
    specialty TEXT NOT NULL,
    item_list_id TEXT NOT NULL REFERENCES inspection_item_lists (id),
    -- Item codes of that list (JSON array).
    items TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    -- The target filter: an entity category key and attribute values (JSON object).
    category TEXT NOT NULL,
    attributes TEXT NOT NULL,
    created_by TEXT REFERENCES users (id),
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX inspection_campaigns_region_idx ON inspection_campaigns (region_code, starts_on);

ALTER TABLE inspection_tasks ADD COLUMN campaign_id TEXT REFERENCES inspection_campaigns (id);
CREATE INDEX inspection_tasks_campaign_idx ON inspection_tasks (campaign_id, entity_id);
