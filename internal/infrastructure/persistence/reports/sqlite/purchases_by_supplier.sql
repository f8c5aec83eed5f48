-- report: purchases_by_supplier (SQLite). Suppliers ranked by amount
-- they invoiced excl. tax, net of their credit notes, on validated and paid
-- supplier invoices dated in [:from, :to_excl); ties by supplier id.
SELECT t.supplier_id,
       c.name AS supplier_name,
       t.invoices,
       t.credit_notes,
       t.amount_excl_tax,
       t.amount_incl_tax
FROM (
    SELECT i.customer_id AS supplier_id,
           count(CASE WHEN i.type <> 2 THEN 1 END) AS invoices,
           count(CASE WHEN i.type = 2 THEN 1 END) AS credit_notes,
           dec_sum(i.total_excl_tax) AS amount_excl_tax,
           dec_sum(i.total_incl_tax) AS amount_incl_tax
    FROM supplier_invoices i
    WHERE i.status IN (1, 2)
      AND i.doc_date >= :from
      AND i.doc_date < :to_excl
    GROUP BY i.customer_id
    ORDER BY CAST(dec_sum(i.total_excl_tax) AS REAL) DESC, i.customer_id
    LIMIT :limit
) t
JOIN thirdparties c ON c.id = t.supplier_id
ORDER BY CAST(t.amount_excl_tax AS REAL) DESC, t.supplier_id
