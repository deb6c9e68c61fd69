-- 双随机、一公开: the inspection item lists (抽查事项清单, versioned like the
-- responsibility lists), random plans with their frozen snapshot and draw
-- record, inspectors' declared conflicts (回避), and the inspection tasks a
-- draw (or a complaint, campaign, patrol, re-inspection) creates.
-- Kept in step with ../sqlite/0008_random_inspections.sql.

CREATE TABLE inspection_item_lists (
    id TEXT PRIMARY KEY NOT NULL,
    unit_id TEXT NOT NULL REFERENCES units (id),
    region_code TEXT NOT NULL REFERENCES regions (code),
    version_no BIGINT NOT NULL,
    title TEXT NOT NULL,
    status TEXT NOT NULL,
    effective_on TEXT,
    content TEXT NOT NULL,
    published_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX inspection_item_lists_version_idx ON inspection_item_lists (unit_id, version_no);
CREATE INDEX inspection_item_lists_region_idx ON inspection_item_lists (region_code, status);

CREATE TABLE random_plans (
    id TEXT PRIMARY KEY NOT NULL,
    unit_id TEXT NOT NULL REFERENCES units (id),
    region_code TEXT NOT NULL REFERENCES regions (code),
    name TEXT NOT NULL,
    -- The published item list the plan draws its items from, and which items.
    item_list_id TEXT NOT NULL REFERENCES inspection_item_lists (id),
    items TEXT NOT NULL,
    period_from TEXT NOT NULL,
    period_until TEXT NOT NULL,
    start_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    -- The scope: entity categories and statuses (JSON arrays), sampling ratios
    -- per risk grade in per mille (JSON object), the inspector pool filter.
    target_categories TEXT NOT NULL,
    target_statuses TEXT NOT NULL,
    ratios TEXT NOT NULL,
    pool_unit_id TEXT REFERENCES units (id),
    pool_specialties TEXT NOT NULL,
    status TEXT NOT NULL,
    snapshot TEXT,
    snapshot_hash TEXT,
    frozen_at TEXT,
    beacon TEXT,
    beacon_source TEXT,
    record TEXT,
    drawn_at TEXT,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX random_plans_region_idx ON random_plans (region_code, status);

-- 回避: an inspector's declared conflict with an entity (kin, former employer ...).
CREATE TABLE inspector_conflicts (
    id TEXT PRIMARY KEY NOT NULL,
    inspector_id TEXT NOT NULL REFERENCES inspectors (id),
    entity_id TEXT NOT NULL REFERENCES entities (id),
    region_code TEXT NOT NULL REFERENCES regions (code),
    reason TEXT NOT NULL,
    declared_at TEXT NOT NULL
);
CREATE UNIQUE INDEX inspector_conflicts_pair_idx ON inspector_conflicts (inspector_id, entity_id);
CREATE INDEX inspector_conflicts_entity_idx ON inspector_conflicts (entity_id);

CREATE TABLE inspection_tasks (
    id TEXT PRIMARY KEY NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    entity_id TEXT NOT NULL REFERENCES entities (id),
    source TEXT NOT NULL,
    plan_id TEXT REFERENCES random_plans (id),
    -- The published item list whose items (and checklists) the task checks.
    item_list_id TEXT REFERENCES inspection_item_lists (id),
    items TEXT NOT NULL,
    inspector1_id TEXT NOT NULL REFERENCES inspectors (id),
    inspector2_id TEXT NOT NULL REFERENCES inspectors (id),
    due_on TEXT NOT NULL,
    status TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX inspection_tasks_plan_entity_idx ON inspection_tasks (plan_id, entity_id);
CREATE INDEX inspection_tasks_entity_idx ON inspection_tasks (entity_id);
CREATE INDEX inspection_tasks_inspector1_idx ON inspection_tasks (inspector1_id, status, due_on);
CREATE INDEX inspection_tasks_inspector2_idx ON inspection_tasks (inspector2_id, status, due_on);
CREATE INDEX inspection_tasks_region_idx ON inspection_tasks (region_code, status, due_on);
