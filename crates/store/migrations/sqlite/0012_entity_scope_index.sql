-- A random plan's scope (双随机): the entities of a region and below, of some
-- statuses and categories, with their risk grade. Freezing a province's plan
-- reads hundreds of thousands of them; with every column the scope needs in
-- one index, that is an index range scan (0.1 s for 200,000 entities on
-- SQLite) instead of a table row visited per entity (over 1 s).
CREATE INDEX entities_scope_idx ON entities (region_code, status, category, risk_grade, id);
