-- 一公开 publishes results, not the list before the visit: at the draw the
-- portal shows only the commitment, the SHA-256 of the record's exact bytes,
-- and serves the record itself once the results are public. The hash is
-- written with the record; plans drawn before this migration have it
-- computed from their stored record when read.
-- Kept in step with ../postgres/0014_draw_commitment.sql.

ALTER TABLE random_plans ADD COLUMN record_sha256 TEXT;
