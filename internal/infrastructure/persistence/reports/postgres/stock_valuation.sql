-- report: stock_valuation (PostgreSQL). Every non-zero stock row, valued at
-- the product's weighted average cost and rounded half away from zero to
-- cents, in product then warehouse order (the order of product_stock_key,
-- so rows stream without a sort), optionally for one warehouse.
SELECT s.product_id,
       p.ref AS product_ref,
       p.label AS product_label,
       s.warehouse_id,
       w.label AS warehouse_label,
       s.quantity,
       p.average_cost,
       round(s.quantity * p.average_cost, 2) AS value
FROM product_stock s
JOIN products p ON p.id = s.product_id
JOIN warehouses w ON w.id = s.warehouse_id
WHERE s.quantity <> 0
  AND (CAST(:warehouse_id AS bigint) = 0 OR s.warehouse_id = CAST(:warehouse_id AS bigint))
ORDER BY s.product_id, s.warehouse_id
