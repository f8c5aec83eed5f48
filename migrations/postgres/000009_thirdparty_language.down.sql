ALTER TABLE thirdparties DROP COLUMN IF EXISTS language;
