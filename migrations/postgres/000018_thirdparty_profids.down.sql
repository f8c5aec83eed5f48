ALTER TABLE thirdparties DROP COLUMN idprof1;
ALTER TABLE thirdparties DROP COLUMN idprof2;
ALTER TABLE thirdparties DROP COLUMN idprof3;
ALTER TABLE thirdparties DROP COLUMN idprof4;
ALTER TABLE thirdparties DROP COLUMN idprof5;
ALTER TABLE thirdparties DROP COLUMN idprof6;
