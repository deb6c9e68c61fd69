-- 监督覆盖率 per specialty: the specialties each inspection record checked (an
-- item's specialty, from the task's published item list), written with the
-- record. Kept in step with ../sqlite/0015_coverage_specialties.sql.

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
SELECT DISTINCT i.id, li.value ->> 'specialty', i.entity_id, i.region_code, i.inspected_on
FROM inspections i
JOIN inspection_tasks t ON t.id = i.task_id
JOIN inspection_item_lists l ON l.id = t.item_list_id
CROSS JOIN LATERAL jsonb_array_elements(l.content::jsonb -> 'items') AS li(value)
WHERE li.value ->> 'code' IN (
    SELECT jsonb_array_elements_text(t.items::jsonb)
    UNION SELECT r.value ->> 'item' FROM jsonb_array_elements(i.results::jsonb) AS r(value)
);
