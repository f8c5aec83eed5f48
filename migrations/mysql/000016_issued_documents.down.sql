DROP TABLE IF EXISTS document_archives;
DROP TABLE IF EXISTS issued_documents;
