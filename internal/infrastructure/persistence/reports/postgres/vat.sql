-- report: vat (PostgreSQL). VAT on debits: the lines of validated and paid
-- invoices and credit notes dated in [:from, :to_excl), per period and
-- rate. Each document's VAT of a rate is computed as its own breakdown is
-- (domain.ComputeTotals): the sum of its lines' VAT (rounding 0), or its
-- base at that rate times the rate, rounded half away from zero to cents
-- once (rounding 1). Reads invoices_turnover, then invoice_lines_report.
SELECT v.period,
       v.vat_rate,
       sum(v.base) AS amount_excl_tax,
       sum(v.vat) AS amount_vat,
       sum(v.base + v.vat) AS amount_incl_tax
FROM (
    SELECT CASE CAST(:group_by AS text)
               WHEN 'day' THEN to_char(CAST(i.doc_date AS timestamp), 'YYYY-MM-DD')
               WHEN 'year' THEN to_char(CAST(i.doc_date AS timestamp), 'YYYY')
               ELSE to_char(CAST(i.doc_date AS timestamp), 'YYYY-MM')
           END AS period,
           l.vat_rate,
           sum(l.total_excl_tax) AS base,
           CASE WHEN i.rounding = 1
                THEN round(sum(l.total_excl_tax) * l.vat_rate / 100, 2)
                ELSE sum(l.total_vat)
           END AS vat
    FROM invoices i
    JOIN invoice_lines l ON l.document_id = i.id
    WHERE i.status IN (1, 2)
      AND i.doc_date >= CAST(:from AS date)
      AND i.doc_date < CAST(:to_excl AS date)
    GROUP BY i.id, i.doc_date, i.rounding, l.vat_rate
) v
GROUP BY v.period, v.vat_rate
ORDER BY v.period, v.vat_rate
