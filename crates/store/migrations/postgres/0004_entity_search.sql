-- The entity list's narrow twin: the columns lists filter and sort on, stored in
-- name order, so a search or a
-- filtered page reads a small table in order and stops after one page, and a
-- word that matches nothing costs one pass over ~100 bytes a row instead of
-- random reads of whole entity rows. Kept in step by the store's entity writes.
CREATE TABLE entity_search (
    name TEXT NOT NULL,
    entity_id TEXT NOT NULL REFERENCES entities (id),
    region_code TEXT NOT NULL,
    category TEXT NOT NULL,
    status TEXT NOT NULL,
    risk_grade TEXT,
    search_text TEXT NOT NULL,
    PRIMARY KEY (name, entity_id)
);
CREATE UNIQUE INDEX entity_search_entity_idx ON entity_search (entity_id);
INSERT INTO entity_search (name, entity_id, region_code, category, status, risk_grade, search_text)
SELECT name, id, region_code, category, status, risk_grade, search_text FROM entities;
