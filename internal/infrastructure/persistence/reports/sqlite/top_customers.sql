-- report: top_customers (SQLite). Customers ranked by amount invoiced excl.
-- tax, net of credit notes, on validated and paid invoices dated in
-- [:from, :to_excl); ties by customer id. The sums are exact decimals
-- (reports_sqlite.go); they are ordered through REAL, which keeps the order
-- of amounts of up to 15 significant digits.
SELECT t.customer_id,
       c.name AS customer_name,
       t.invoices,
       t.credit_notes,
       t.amount_excl_tax,
       t.amount_incl_tax
FROM (
    SELECT i.customer_id,
           count(CASE WHEN i.type <> 2 THEN 1 END) AS invoices,
           count(CASE WHEN i.type = 2 THEN 1 END) AS credit_notes,
           dec_sum(i.total_excl_tax) AS amount_excl_tax,
           dec_sum(i.total_incl_tax) AS amount_incl_tax
    FROM invoices i
    WHERE i.status IN (1, 2)
      AND i.doc_date >= :from
      AND i.doc_date < :to_excl
    GROUP BY i.customer_id
    ORDER BY CAST(dec_sum(i.total_excl_tax) AS REAL) DESC, i.customer_id
    LIMIT :limit
) t
JOIN thirdparties c ON c.id = t.customer_id
ORDER BY CAST(t.amount_excl_tax AS REAL) DESC, t.customer_id
