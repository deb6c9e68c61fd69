-- The list columns in name order, searchable without the search text: a page
-- filtered by region, category, status or risk grade reads this index alone.
-- PostgreSQL keeps entity_search in insertion order, so without it such a page
-- visited a table row for every index entry it passed (80 ms for a county's
-- water suppliers among 200,000 entities; 6 ms with it). On SQLite the table is
-- already clustered in this order; the copy costs space, not correctness.
CREATE INDEX entity_search_list_idx ON entity_search (name, entity_id, region_code, category, status, risk_grade);
