DROP TABLE IF EXISTS stock_movements;
DROP TABLE IF EXISTS product_stock;
DROP TABLE IF EXISTS warehouses;
DROP TABLE IF EXISTS products;
DROP TABLE IF EXISTS contacts;
DROP TABLE IF EXISTS thirdparties;
DROP TABLE IF EXISTS numbering_counters;
