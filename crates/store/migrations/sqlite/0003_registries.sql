-- Registries (一户一档): the entity's attributes, licences with their change
-- history, practitioners and their practice sites, inspectors, duty lists and
-- import jobs. Kept in step with ../postgres/0003_registries.sql.
-- Dates are ISO 'YYYY-MM-DD' text, so they compare correctly as strings.

ALTER TABLE entities ADD COLUMN category TEXT NOT NULL DEFAULT 'other';
-- Category-specific attributes (床位数, 级别 ...) as a JSON object; the
-- category catalogue in the rules crate says which keys are valid.
ALTER TABLE entities ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';
-- Why an entity has no 统一社会信用代码 (individuals); required when uscc is null.
ALTER TABLE entities ADD COLUMN uscc_exemption TEXT;
ALTER TABLE entities ADD COLUMN legal_representative TEXT;
ALTER TABLE entities ADD COLUMN address TEXT;
ALTER TABLE entities ADD COLUMN grid TEXT;
ALTER TABLE entities ADD COLUMN contact_person TEXT;
ALTER TABLE entities ADD COLUMN contact_phone TEXT;
ALTER TABLE entities ADD COLUMN status TEXT NOT NULL DEFAULT 'operating';
ALTER TABLE entities ADD COLUMN risk_grade TEXT;
ALTER TABLE entities ADD COLUMN credit_grade TEXT;
-- Lower-cased name, USCC, address and licence numbers: what search matches.
ALTER TABLE entities ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
ALTER TABLE entities ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
CREATE UNIQUE INDEX entities_uscc_idx ON entities (uscc);
CREATE INDEX entities_name_idx ON entities (name, id);
CREATE INDEX entities_region_name_idx ON entities (region_code, name, id);
CREATE INDEX entities_category_idx ON entities (category, status);

CREATE TABLE licences (
    id TEXT PRIMARY KEY NOT NULL,
    entity_id TEXT NOT NULL REFERENCES entities (id),
    region_code TEXT NOT NULL REFERENCES regions (code),
    kind TEXT NOT NULL,
    number TEXT NOT NULL,
    scope TEXT,
    issued_by TEXT,
    issued_on TEXT NOT NULL,
    valid_until TEXT,
    last_verified_on TEXT,
    next_verification_due TEXT,
    -- valid_until less the kind's renewal lead: from this day it reads "expiring".
    renew_from TEXT,
    -- As recorded: valid, suspended, revoked, cancelled. Expiring and expired
    -- are read off the dates, never stored.
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX licences_kind_number_idx ON licences (kind, number);
CREATE INDEX licences_entity_idx ON licences (entity_id);
CREATE INDEX licences_region_idx ON licences (region_code, valid_until);
CREATE INDEX licences_number_idx ON licences (number);

-- Every change of a licence with the full before and after (the audit chain
-- keeps only digests).
CREATE TABLE licence_changes (
    id TEXT PRIMARY KEY NOT NULL,
    licence_id TEXT NOT NULL REFERENCES licences (id),
    region_code TEXT NOT NULL REFERENCES regions (code),
    changed_at TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    action TEXT NOT NULL,
    reason TEXT,
    before_json TEXT,
    after_json TEXT NOT NULL
);
CREATE INDEX licence_changes_licence_idx ON licence_changes (licence_id, changed_at);

CREATE TABLE practitioners (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    id_number TEXT NOT NULL,
    kind TEXT NOT NULL,
    qualification_no TEXT,
    practice_cert_no TEXT,
    practice_category TEXT,
    practice_scope TEXT,
    entity_id TEXT NOT NULL REFERENCES entities (id),
    region_code TEXT NOT NULL REFERENCES regions (code),
    status TEXT NOT NULL,
    registered_on TEXT,
    cert_valid_until TEXT,
    search_text TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX practitioners_id_number_idx ON practitioners (id_number);
CREATE UNIQUE INDEX practitioners_cert_idx ON practitioners (kind, practice_cert_no);
CREATE INDEX practitioners_entity_idx ON practitioners (entity_id);
CREATE INDEX practitioners_region_name_idx ON practitioners (region_code, name, id);

-- 多机构执业备案: a practitioner's further practice sites.
CREATE TABLE practice_sites (
    id TEXT PRIMARY KEY NOT NULL,
    practitioner_id TEXT NOT NULL REFERENCES practitioners (id),
    entity_id TEXT NOT NULL REFERENCES entities (id),
    region_code TEXT NOT NULL REFERENCES regions (code),
    filed_on TEXT NOT NULL,
    ended_on TEXT,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX practice_sites_pair_idx ON practice_sites (practitioner_id, entity_id);
CREATE INDEX practice_sites_entity_idx ON practice_sites (entity_id);

-- 执法人员名录库.
CREATE TABLE inspectors (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT REFERENCES users (id),
    name TEXT NOT NULL,
    unit_id TEXT NOT NULL REFERENCES units (id),
    region_code TEXT NOT NULL REFERENCES regions (code),
    cert_no TEXT NOT NULL,
    cert_valid_from TEXT NOT NULL,
    cert_valid_until TEXT NOT NULL,
    -- Specialty keys wrapped in commas (',water,school,'), so one LIKE finds one.
    specialties TEXT NOT NULL,
    status TEXT NOT NULL,
    phone TEXT,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX inspectors_cert_idx ON inspectors (cert_no);
CREATE UNIQUE INDEX inspectors_user_idx ON inspectors (user_id);
CREATE INDEX inspectors_region_name_idx ON inspectors (region_code, name, id);
CREATE INDEX inspectors_unit_idx ON inspectors (unit_id);

-- 权责清单, one row a version; a published version is never changed again.
CREATE TABLE duty_lists (
    id TEXT PRIMARY KEY NOT NULL,
    unit_id TEXT NOT NULL REFERENCES units (id),
    region_code TEXT NOT NULL REFERENCES regions (code),
    version_no INTEGER NOT NULL,
    title TEXT NOT NULL,
    status TEXT NOT NULL,
    effective_on TEXT,
    -- Duties → tasks, duty boundaries, public services, as one JSON document.
    content TEXT NOT NULL,
    published_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX duty_lists_version_idx ON duty_lists (unit_id, version_no);
CREATE INDEX duty_lists_region_idx ON duty_lists (region_code, status);

-- Registry imports that run in the background, with their progress.
CREATE TABLE import_jobs (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    user_id TEXT REFERENCES users (id),
    file_name TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    mode TEXT NOT NULL,
    status TEXT NOT NULL,
    total_rows INTEGER NOT NULL,
    processed_rows INTEGER NOT NULL,
    created_rows INTEGER NOT NULL,
    updated_rows INTEGER NOT NULL,
    unchanged_rows INTEGER NOT NULL,
    problem_count INTEGER NOT NULL,
    -- The problem report (CSV text) when the file had problems.
    problems TEXT,
    error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX import_jobs_region_idx ON import_jobs (region_code, created_at);
