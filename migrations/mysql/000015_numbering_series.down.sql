DROP TABLE IF EXISTS numbering_series;
