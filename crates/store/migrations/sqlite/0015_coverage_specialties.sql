-- 监督覆盖率 per specialty: the specialties each inspection record checked (an
-- item's specialty, from the task's published item list), written with the
-- record. Kept in step with ../postgres/0015_coverage_specialties.sql.

CREATE TABLE inspection_specialties (
    inspection_id TEXT NOT NULL REFERENCES inspections (id),
    specialty TEXT NOT NULL,
    entity_id TEXT NOT NULL REFERENCES entities (id),
    region_code TEXT NOT NULL REFERENCES regions (code),
    inspected_on TEXT NOT NULL,
    PRIMARY KEY (inspection_id, specialty)
);
-- "Was this entity inspected for this specialty this year": one seek per entity.
CREATE INDEX inspection_specialties_entity_idx ON inspection_specialties (entity_id, specialty, inspected_on);

-- Records made before: the items of the task and those its results name.
INSERT INTO inspection_specialties (inspection_id, specialty, entity_id, region_code, inspected_on)
SELECT DISTINCT i.id, json_extract(li.value, '$.specialty'), i.entity_id, i.region_code, i.inspected_on
FROM inspections i
JOIN inspection_tasks t ON t.id = i.task_id
JOIN inspection_item_lists l ON l.id = t.item_list_id
JOIN json_each(l.content, '$.items') li
WHERE json_extract(li.value, '$.code') IN (
    SELECT ti.value FROM json_each(t.items) ti
    UNION SELECT json_extract(r.value, '$.item') FROM json_each(i.results) r
);
