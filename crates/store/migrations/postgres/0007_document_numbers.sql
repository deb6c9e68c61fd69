-- Document numbers (文号), e.g. 枣卫监意〔2026〕15号: the issuing unit's code (机关代字),
-- the kind's word, the year and a number that runs per issuing unit, kind and year
-- from 1 without gaps. A number is taken inside the transaction that issues the
-- document, so a document that is rolled back takes its number back with it.
-- Kept in step with ../sqlite/0007_document_numbers.sql.

-- The code an issuing unit prints in its document numbers (枣卫). A unit without
-- one issues under the nearest parent unit that has one.
CREATE TABLE document_issuers (
    unit_id TEXT PRIMARY KEY NOT NULL REFERENCES units (id),
    region_code TEXT NOT NULL REFERENCES regions (code),
    code TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- The last number issued in each series.
CREATE TABLE document_number_series (
    unit_id TEXT NOT NULL REFERENCES units (id),
    kind TEXT NOT NULL,
    year BIGINT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    last_number BIGINT NOT NULL,
    PRIMARY KEY (unit_id, kind, year)
);

-- Every number issued, as printed, and the document that carries it.
CREATE TABLE document_numbers (
    id TEXT PRIMARY KEY NOT NULL,
    unit_id TEXT NOT NULL REFERENCES units (id),
    region_code TEXT NOT NULL REFERENCES regions (code),
    kind TEXT NOT NULL,
    year BIGINT NOT NULL,
    number BIGINT NOT NULL,
    doc_number TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    issued_by TEXT REFERENCES users (id)
);
CREATE UNIQUE INDEX document_numbers_series_idx ON document_numbers (unit_id, kind, year, number);
CREATE UNIQUE INDEX document_numbers_object_idx ON document_numbers (object_type, object_id, kind);
CREATE INDEX document_numbers_region_idx ON document_numbers (region_code, issued_at);
