-- report: vat (SQLite). VAT on debits: the lines of validated and paid
-- invoices and credit notes dated in [:from, :to_excl), per period and
-- rate. Each document's VAT of a rate is computed as its own breakdown is
-- (domain.ComputeTotals): the sum of its lines' VAT (rounding 0), or its
-- base at that rate times the rate, rounded half away from zero to cents
-- once (rounding 1). The decimal functions are exact (reports_sqlite.go).
SELECT v.period,
       v.vat_rate,
       dec_sum(v.base) AS amount_excl_tax,
       dec_sum(v.vat) AS amount_vat,
       dec_add(dec_sum(v.base), dec_sum(v.vat)) AS amount_incl_tax
FROM (
    SELECT CASE :group_by
               WHEN 'day' THEN substr(i.doc_date, 1, 10)
               WHEN 'year' THEN substr(i.doc_date, 1, 4)
               ELSE substr(i.doc_date, 1, 7)
           END AS period,
           l.vat_rate,
           dec_sum(l.total_excl_tax) AS base,
           CASE WHEN i.rounding = 1
                THEN dec_round(dec_mul(dec_mul(dec_sum(l.total_excl_tax), l.vat_rate), '0.01'), 2)
                ELSE dec_sum(l.total_vat)
           END AS vat
    FROM invoices i
    JOIN invoice_lines l ON l.document_id = i.id
    WHERE i.status IN (1, 2)
      AND i.doc_date >= :from
      AND i.doc_date < :to_excl
    GROUP BY i.id, i.doc_date, i.rounding, l.vat_rate
) v
GROUP BY v.period, v.vat_rate
ORDER BY v.period, v.vat_rate
