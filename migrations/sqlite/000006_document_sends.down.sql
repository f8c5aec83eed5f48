DROP TABLE document_sends;
