-- report: turnover (SQLite). Validated and paid invoices (status 1, 2) dated
-- in [:from, :to_excl), summed per period and, when :per_customer is 1, per
-- customer. Credit notes (type 2) carry negative totals and so subtract.
-- Dates are stored as text beginning "YYYY-MM-DD", so the range compares
-- text (and uses the partial index invoices_turnover) and a period is a
-- prefix. NUMERIC columns hold REALs: dec_sum adds them up exactly as
-- decimals (reports_sqlite.go), never as binary floats.
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
               WHEN 'day' THEN substr(i.doc_date, 1, 10)
               WHEN 'year' THEN substr(i.doc_date, 1, 4)
               ELSE substr(i.doc_date, 1, 7)
           END AS period,
           CASE WHEN :per_customer = 1 THEN i.customer_id END AS customer_id,
           count(CASE WHEN i.type <> 2 THEN 1 END) AS invoices,
           count(CASE WHEN i.type = 2 THEN 1 END) AS credit_notes,
           dec_sum(i.total_excl_tax) AS amount_excl_tax,
           dec_sum(i.total_vat) AS amount_vat,
           dec_sum(i.total_incl_tax) AS amount_incl_tax
    FROM invoices i
    WHERE i.status IN (1, 2)
      AND i.doc_date >= :from
      AND i.doc_date < :to_excl
      AND (:customer_id = 0 OR i.customer_id = :customer_id)
    GROUP BY 1, 2
) t
LEFT JOIN thirdparties c ON c.id = t.customer_id
ORDER BY t.period, c.name, t.customer_id
