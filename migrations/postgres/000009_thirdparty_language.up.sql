-- A third party's preferred language (Dolibarr's llx_societe.default_lang):
-- its PDFs and e-mails are rendered in it unless the request names one.
-- Empty means the company default (DOLIBARR_PDF_LANGUAGE).
ALTER TABLE thirdparties ADD COLUMN language VARCHAR(16) NOT NULL DEFAULT '';
