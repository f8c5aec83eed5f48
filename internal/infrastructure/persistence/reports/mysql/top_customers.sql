-- report: top_customers (MySQL/MariaDB). Customers ranked by amount
-- invoiced excl. tax, net of credit notes, on validated and paid invoices
-- dated in [:from, :to_excl); ties by customer id. Only the :limit best are
-- joined to their names.
SELECT t.customer_id,
       c.name AS customer_name,
       t.invoices,
       t.credit_notes,
       t.amount_excl_tax,
       t.amount_incl_tax
FROM (
    SELECT i.customer_id,
           COUNT(CASE WHEN i.type <> 2 THEN 1 END) AS invoices,
           COUNT(CASE WHEN i.type = 2 THEN 1 END) AS credit_notes,
           SUM(i.total_excl_tax) AS amount_excl_tax,
           SUM(i.total_incl_tax) AS amount_incl_tax
    FROM invoices i
    WHERE i.status IN (1, 2)
      AND i.doc_date >= CAST(:from AS DATE)
      AND i.doc_date < CAST(:to_excl AS DATE)
    GROUP BY i.customer_id
    ORDER BY SUM(i.total_excl_tax) DESC, i.customer_id
    LIMIT :limit
) t
JOIN thirdparties c ON c.id = t.customer_id
ORDER BY t.amount_excl_tax DESC, t.customer_id
