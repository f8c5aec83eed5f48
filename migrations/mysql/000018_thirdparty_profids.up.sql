-- Professional ids (Dolibarr's idprof1..6; France: SIREN, SIRET, NAF-APE,
-- RCS/RM), checked per country by the domain (decision 0038).
ALTER TABLE thirdparties ADD COLUMN idprof1 VARCHAR(128) NOT NULL DEFAULT '';
ALTER TABLE thirdparties ADD COLUMN idprof2 VARCHAR(128) NOT NULL DEFAULT '';
ALTER TABLE thirdparties ADD COLUMN idprof3 VARCHAR(128) NOT NULL DEFAULT '';
ALTER TABLE thirdparties ADD COLUMN idprof4 VARCHAR(128) NOT NULL DEFAULT '';
ALTER TABLE thirdparties ADD COLUMN idprof5 VARCHAR(128) NOT NULL DEFAULT '';
ALTER TABLE thirdparties ADD COLUMN idprof6 VARCHAR(128) NOT NULL DEFAULT '';
