-- report: stock_valuation (SQLite). Every non-zero stock row, valued at the
-- product's weighted average cost and rounded half away from zero to cents
-- with the exact decimal functions (reports_sqlite.go), in product then
-- warehouse order (the order of product_stock_key), optionally for one
-- warehouse.
SELECT s.product_id,
       p.ref AS product_ref,
       p.label AS product_label,
       s.warehouse_id,
       w.label AS warehouse_label,
       s.quantity,
       p.average_cost,
       dec_round(dec_mul(s.quantity, p.average_cost), 2) AS value
FROM product_stock s
JOIN products p ON p.id = s.product_id
JOIN warehouses w ON w.id = s.warehouse_id
WHERE s.quantity <> 0
  AND (:warehouse_id = 0 OR s.warehouse_id = :warehouse_id)
ORDER BY s.product_id, s.warehouse_id
