-- report: top_products (MySQL/MariaDB). Products ranked by amount invoiced
-- excl. tax, net of credit notes, on the lines of validated and paid
-- invoices dated in [:from, :to_excl); ties by product id. Quantities of
-- credit notes count negative. Free-text lines (no product) are left out.
SELECT t.product_id,
       p.ref AS product_ref,
       p.label AS product_label,
       t.quantity,
       t.amount_excl_tax
FROM (
    SELECT l.product_id,
           SUM(CASE WHEN i.type = 2 THEN -l.quantity ELSE l.quantity END) AS quantity,
           SUM(l.total_excl_tax) AS amount_excl_tax
    FROM invoices i
    JOIN invoice_lines l ON l.document_id = i.id
    WHERE i.status IN (1, 2)
      AND i.doc_date >= CAST(:from AS DATE)
      AND i.doc_date < CAST(:to_excl AS DATE)
      AND l.product_id IS NOT NULL
    GROUP BY l.product_id
    ORDER BY SUM(l.total_excl_tax) DESC, l.product_id
    LIMIT :limit
) t
JOIN products p ON p.id = t.product_id
ORDER BY t.amount_excl_tax DESC, t.product_id
