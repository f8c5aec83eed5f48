-- report: turnover (MySQL/MariaDB). Validated and paid invoices (status 1,
-- 2) dated in [:from, :to_excl), summed per period and, when :per_customer
-- is 1, per customer. Credit notes (type 2) carry negative totals and so
-- subtract. The header totals are summed (not the lines): they are the
-- documents' own totals whatever their rounding mode. Reads only the
-- covering index invoices_turnover (status, doc_date, ...).
SELECT t.period,
       t.customer_id,
       c.name AS customer_name,
       t.invoices,
       t.credit_notes,
       t.amount_excl_tax,
       t.amount_vat,
       t.amount_incl_tax
FROM (
    SELECT CASE :group_by
               WHEN 'day' THEN DATE_FORMAT(i.doc_date, '%Y-%m-%d')
               WHEN 'year' THEN DATE_FORMAT(i.doc_date, '%Y')
               ELSE DATE_FORMAT(i.doc_date, '%Y-%m')
           END AS period,
           CASE WHEN :per_customer = 1 THEN i.customer_id END AS customer_id,
           COUNT(CASE WHEN i.type <> 2 THEN 1 END) AS invoices,
           COUNT(CASE WHEN i.type = 2 THEN 1 END) AS credit_notes,
           SUM(i.total_excl_tax) AS amount_excl_tax,
           SUM(i.total_vat) AS amount_vat,
           SUM(i.total_incl_tax) AS amount_incl_tax
    FROM invoices i
    WHERE i.status IN (1, 2)
      AND i.doc_date >= CAST(:from AS DATE)
      AND i.doc_date < CAST(:to_excl AS DATE)
      AND (:customer_id = 0 OR i.customer_id = :customer_id)
    GROUP BY 1, 2
) t
LEFT JOIN thirdparties c ON c.id = t.customer_id
ORDER BY t.period, c.name, t.customer_id
