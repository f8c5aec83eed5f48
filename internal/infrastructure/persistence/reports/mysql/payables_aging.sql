-- report: payables_aging (MySQL/MariaDB). The receivables aging (aging.sql) of
-- supplier invoices: open ones (status 1: validated, not fully paid) dated
-- on or before :as_of, what is left to pay on each in a bucket by days past
-- its due date at :as_of, summed per supplier.
SELECT a.supplier_id,
       c.name AS supplier_name,
       a.invoices,
       a.not_due,
       a.days_1_30,
       a.days_31_60,
       a.days_61_90,
       a.days_over_90,
       a.total
FROM (
    SELECT o.supplier_id,
           COUNT(*) AS invoices,
           COALESCE(SUM(CASE WHEN o.late <= 0 THEN o.remaining END), 0) AS not_due,
           COALESCE(SUM(CASE WHEN o.late BETWEEN 1 AND 30 THEN o.remaining END), 0) AS days_1_30,
           COALESCE(SUM(CASE WHEN o.late BETWEEN 31 AND 60 THEN o.remaining END), 0) AS days_31_60,
           COALESCE(SUM(CASE WHEN o.late BETWEEN 61 AND 90 THEN o.remaining END), 0) AS days_61_90,
           COALESCE(SUM(CASE WHEN o.late > 90 THEN o.remaining END), 0) AS days_over_90,
           SUM(o.remaining) AS total
    FROM (
        SELECT i.customer_id AS supplier_id,
               i.total_incl_tax - i.paid - i.credit_used AS remaining,
               DATEDIFF(CAST(:as_of AS DATE), i.due_date) AS late
        FROM supplier_invoices i
        WHERE i.status = 1
          AND i.doc_date <= CAST(:as_of AS DATE)
          AND (:supplier_id = 0 OR i.customer_id = :supplier_id)
    ) o
    GROUP BY o.supplier_id
) a
JOIN thirdparties c ON c.id = a.supplier_id
ORDER BY c.name, a.supplier_id
