ALTER TABLE thirdparties DROP COLUMN language;
