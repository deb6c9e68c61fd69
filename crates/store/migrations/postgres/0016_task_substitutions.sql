-- 双随机: the drawn pair binds; a section chief or leader may replace one of
-- a task's two inspectors (illness, a recusal found late, a lapsed 执法证)
-- with a written reason. The draw record is never changed: each substitution
-- is its own row, listed beside the plan's public record once it is released.
-- Kept in step with ../sqlite/0016_task_substitutions.sql.

CREATE TABLE task_substitutions (
    id TEXT PRIMARY KEY NOT NULL,
    task_id TEXT NOT NULL REFERENCES inspection_tasks (id),
    -- Null for a task not drawn (patrol, campaign, re-inspection).
    plan_id TEXT REFERENCES random_plans (id),
    region_code TEXT NOT NULL REFERENCES regions (code),
    entity_id TEXT NOT NULL REFERENCES entities (id),
    replaced_id TEXT NOT NULL REFERENCES inspectors (id),
    with_id TEXT NOT NULL REFERENCES inspectors (id),
    reason TEXT NOT NULL,
    substituted_by TEXT REFERENCES users (id),
    substituted_at TEXT NOT NULL
);
CREATE INDEX task_substitutions_task_idx ON task_substitutions (task_id, substituted_at);
CREATE INDEX task_substitutions_plan_idx ON task_substitutions (plan_id, substituted_at);
