-- Every workflow row carries a version: the lifecycle step moves it only
-- when the version the user saw is still current.
ALTER TABLE duty_lists ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE inspection_item_lists ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
