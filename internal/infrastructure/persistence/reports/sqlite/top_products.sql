-- report: top_products (SQLite). Products ranked by amount invoiced excl.
-- tax, net of credit notes, on the lines of validated and paid invoices
-- dated in [:from, :to_excl); ties by product id. Quantities of credit notes
-- count negative. Free-text lines (no product) are left out. The sums are
-- exact decimals (reports_sqlite.go), ordered through REAL.
SELECT t.product_id,
       p.ref AS product_ref,
       p.label AS product_label,
       t.quantity,
       t.amount_excl_tax
FROM (
    SELECT l.product_id,
           dec_sum(CASE WHEN i.type = 2 THEN dec_sub(0, l.quantity) ELSE l.quantity END) AS quantity,
           dec_sum(l.total_excl_tax) AS amount_excl_tax
    FROM invoices i
    JOIN invoice_lines l ON l.document_id = i.id
    WHERE i.status IN (1, 2)
      AND i.doc_date >= :from
      AND i.doc_date < :to_excl
      AND l.product_id IS NOT NULL
    GROUP BY l.product_id
    ORDER BY CAST(dec_sum(l.total_excl_tax) AS REAL) DESC, l.product_id
    LIMIT :limit
) t
JOIN products p ON p.id = t.product_id
ORDER BY CAST(t.amount_excl_tax AS REAL) DESC, t.product_id
