-- report: vat (MySQL/MariaDB). VAT on debits: the lines of validated and
-- paid invoices and credit notes dated in [:from, :to_excl), per period and
-- rate. Each document's VAT of a rate is computed as its own breakdown is
-- (domain.ComputeTotals): the sum of its lines' VAT (rounding 0), or its
-- base at that rate times the rate, rounded half away from zero to cents
-- once (rounding 1; ROUND on DECIMAL rounds half away from zero).
SELECT v.period,
       v.vat_rate,
       SUM(v.base) AS amount_excl_tax,
       SUM(v.vat) AS amount_vat,
       SUM(v.base + v.vat) AS amount_incl_tax
FROM (
    SELECT CASE :group_by
               WHEN 'day' THEN DATE_FORMAT(i.doc_date, '%Y-%m-%d')
               WHEN 'year' THEN DATE_FORMAT(i.doc_date, '%Y')
               ELSE DATE_FORMAT(i.doc_date, '%Y-%m')
           END AS period,
           l.vat_rate,
           SUM(l.total_excl_tax) AS base,
           CASE WHEN i.rounding = 1
                THEN ROUND(SUM(l.total_excl_tax) * l.vat_rate / 100, 2)
                ELSE SUM(l.total_vat)
           END AS vat
    FROM invoices i
    JOIN invoice_lines l ON l.document_id = i.id
    WHERE i.status IN (1, 2)
      AND i.doc_date >= CAST(:from AS DATE)
      AND i.doc_date < CAST(:to_excl AS DATE)
    GROUP BY i.id, i.doc_date, i.rounding, l.vat_rate
) v
GROUP BY v.period, v.vat_rate
ORDER BY v.period, v.vat_rate
