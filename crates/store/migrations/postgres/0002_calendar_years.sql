-- Years of the working-day calendar imported after the release (the built-in
-- years live in the binary). One row a year; a re-import replaces the row.
CREATE TABLE calendar_years (
    year BIGINT PRIMARY KEY NOT NULL,
    notice TEXT NOT NULL,
    url TEXT NOT NULL,
    data TEXT NOT NULL,
    imported_by TEXT,
    imported_at TEXT NOT NULL
);
