-- report: turnover (PostgreSQL). Validated and paid invoices (status 1, 2)
-- dated in [:from, :to_excl), summed per period and, when :per_customer is
-- 1, per customer. Credit notes (type 2) carry negative totals and so
-- subtract. The header totals are summed (not the lines): they are the
-- documents' own totals whatever their rounding mode. Reads only the
-- covering partial index invoices_turnover.
SELECT t.period,
       t.customer_id,
       c.name AS customer_name,
       t.invoices,
       t.credit_notes,
       t.amount_excl_tax,
       t.amount_vat,
       t.amount_incl_tax
FROM (
    SELECT CASE CAST(:group_by AS text)
               WHEN 'day' THEN to_char(CAST(i.doc_date AS timestamp), 'YYYY-MM-DD')
               WHEN 'year' THEN to_char(CAST(i.doc_date AS timestamp), 'YYYY')
               ELSE to_char(CAST(i.doc_date AS timestamp), 'YYYY-MM')
           END AS period,
           CASE WHEN CAST(:per_customer AS integer) = 1 THEN i.customer_id END AS customer_id,
           count(CASE WHEN i.type <> 2 THEN 1 END) AS invoices,
           count(CASE WHEN i.type = 2 THEN 1 END) AS credit_notes,
           sum(i.total_excl_tax) AS amount_excl_tax,
           sum(i.total_vat) AS amount_vat,
           sum(i.total_incl_tax) AS amount_incl_tax
    FROM invoices i
    WHERE i.status IN (1, 2)
      AND i.doc_date >= CAST(:from AS date)
      AND i.doc_date < CAST(:to_excl AS date)
      AND (CAST(:customer_id AS bigint) = 0 OR i.customer_id = CAST(:customer_id AS bigint))
    GROUP BY 1, 2
) t
LEFT JOIN thirdparties c ON c.id = t.customer_id
ORDER BY t.period, c.name, t.customer_id
