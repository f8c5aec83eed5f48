// Command receptions load-tests the buy side's hot path through HTTP on
// PostgreSQL: recording a reception of one purchase order line and
// validating it (the order locked, the quantity left re-checked, stock in
// with the weighted average cost updated, the order's status, a gap-free
// RCP number), with one client and with concurrent clients, each client on
// its own purchase order. In the same run pgbench replays the statements
// the API runs for one reception (create, then validate) on the same
// rows, so the API figure is also a ratio of the machine's ceiling.
//
//	go build -o /tmp/dolibarr-api ./cmd/api
//	go run ./bench/receptions -bin /tmp/dolibarr-api -duration 10s -clients 8
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/dolibarr-go/dolibarr/bench/internal/harness"
)

func main() {
	bin := flag.String("bin", "/tmp/dolibarr-api", "API binary (go build -o ... ./cmd/api)")
	pg := flag.String("pg", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "PostgreSQL admin DSN")
	duration := flag.Duration("duration", 10*time.Second, "length of each scenario")
	clients := flag.Int("clients", 8, "concurrent HTTP clients (and pgbench clients)")
	conns := flag.Int("db-conns", 20, "API database pool size (DOLIBARR_DB_MAX_OPEN_CONNS)")
	flag.Parse()
	if err := run(*bin, *pg, *duration, *clients, *conns); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type obj = map[string]any

type order struct {
	ID    int64
	Lines []struct {
		ID        int64 `json:"id"`
		ProductID int64 `json:"product_id"`
	} `json:"lines"`
}

func run(bin, adminDSN string, d time.Duration, clients, conns int) error {
	db, err := harness.CreateDB(context.Background(), adminDSN, "dgrecv")
	if err != nil {
		return err
	}
	defer db.Drop()
	api, err := harness.StartAPI(bin, db.DSN, conns)
	if err != nil {
		return err
	}
	defer api.Stop()
	c := harness.NewClient(api.Base, clients*2)
	if err := c.Login(harness.AdminLogin, harness.AdminPassword); err != nil {
		return err
	}

	// Seed: a supplier, 20 goods, a warehouse, and one ordered purchase
	// order per client with a line of every product, ordered in a quantity
	// no run receives entirely.
	var wh, sup struct{ ID int64 }
	if err := c.Do("POST", "/api/v1/warehouses", obj{"label": "Bench"}, &wh); err != nil {
		return err
	}
	if err := c.Do("POST", "/api/v1/thirdparties", obj{"name": "Bench supplier", "supplier": true}, &sup); err != nil {
		return err
	}
	var lines []obj
	for i := range 20 {
		var p struct{ ID int64 }
		if err := c.Do("POST", "/api/v1/products", obj{"ref": fmt.Sprintf("R%03d", i), "label": fmt.Sprintf("Part %d", i), "price": "9", "vat_rate": "20"}, &p); err != nil {
			return err
		}
		lines = append(lines, obj{"product_id": p.ID, "quantity": "100000000", "unit_price": fmt.Sprintf("%d.%02d", 1+i%7, i*13%100)})
	}
	// Each scenario, and pgbench, gets fresh orders: what an order has
	// received is summed under its lock, so an order's cost grows with its
	// receptions and runs must not inherit each other's.
	newOrders := func(n int) ([]order, error) {
		orders := make([]order, n)
		for i := range orders {
			if err := c.Do("POST", "/api/v1/purchase-orders", obj{"supplier_id": sup.ID, "lines": lines}, &orders[i]); err != nil {
				return nil, err
			}
			for _, act := range []string{"validate", "order"} {
				if err := c.Do("POST", fmt.Sprintf("/api/v1/purchase-orders/%d/%s", orders[i].ID, act), nil, nil); err != nil {
					return nil, err
				}
			}
		}
		return orders, nil
	}
	receive := func(orders []order) func(i int) error {
		return func(i int) error {
			o := orders[i%len(orders)]
			l := o.Lines[harness.FastRand()%len(o.Lines)]
			var r struct{ ID int64 }
			err := c.Do("POST", "/api/v1/receptions", obj{"order_id": o.ID,
				"lines": []obj{{"order_line_id": l.ID, "warehouse_id": wh.ID, "quantity": "1"}}}, &r)
			if err != nil {
				return err
			}
			return c.Do("POST", fmt.Sprintf("/api/v1/receptions/%d/validate", r.ID), nil, nil)
		}
	}

	type row struct {
		name string
		r    harness.Result
		cpu  harness.CPUShare
		pgb  float64
	}
	var rows []row
	warm, err := newOrders(clients)
	if err != nil {
		return err
	}
	harness.Load(clients, time.Second, receive(warm)) // warm-up: opens the pool
	for _, n := range []int{1, clients} {
		orders, err := newOrders(n)
		if err != nil {
			return err
		}
		m := harness.StartCPU(context.Background(), db, api.PID())
		r := harness.Load(n, d, receive(orders))
		cpu := m.Per(int64(r.Rate * d.Seconds()))
		if orders, err = newOrders(n); err != nil {
			return err
		}
		pgb, err := pgbench(db.DSN, n, d, orders[0].ID, wh.ID, len(orders))
		if err != nil {
			return err
		}
		rows = append(rows, row{fmt.Sprintf("reception (1 line) create + validate, %d client(s)", n), r, cpu, pgb})
	}

	fmt.Printf("\n%s per scenario, API pool %d connections, pgbench -M prepared -j 2, same clients\n\n", d, conns)
	fmt.Println("| scenario | ops/s | errors | p50 | p99 | CPU per op: API / PostgreSQL / load generator | pgbench tps (same statements) | ratio |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	for _, x := range rows {
		fmt.Printf("| %s | %.0f | %d | %.2f ms | %.2f ms | %d / %d / %d us | %.0f | %.2f |\n", x.name, x.r.Rate, x.r.Errors,
			harness.Ms(x.r.P50), harness.Ms(x.r.P99), x.cpu.API.Microseconds(), x.cpu.PG.Microseconds(), x.cpu.Client.Microseconds(),
			x.pgb, x.r.Rate/x.pgb)
	}
	return nil
}

// pgbench replays what one reception costs the database, statement for
// statement as the API sends them (read from PostgreSQL's log of the API):
// the draft's insert with its line and event, then the validation: lock
// the reception and its order, their lines, the sum already received, the
// targets' check, the product's cost lock, the stock row's lock, the
// on-hand sum, the stock and cost updates, the journal, the events, the
// order's save, the counter and the reception's save. Each client works
// on its own order (:oid), as the API's do.
func pgbench(dsn string, clients int, d time.Duration, firstOrder, warehouse int64, orders int) (float64, error) {
	script := fmt.Sprintf(`\set oid %d + (:client_id %% %d)
\set wid %d
BEGIN;
SELECT id, customer_id, status FROM purchase_orders WHERE id = :oid;
SELECT * FROM purchase_order_lines WHERE document_id = :oid ORDER BY position, id;
SELECT l.order_line_id, SUM(l.quantity) FROM reception_lines l JOIN receptions r ON r.id = l.document_id WHERE r.order_id = :oid AND r.status = 1 GROUP BY l.order_line_id;
SELECT * FROM warehouses WHERE id = :wid;
INSERT INTO receptions (customer_id, status, doc_date, note_public, note_private, created_at, updated_at, order_id) SELECT customer_id, 0, current_date, '', '', now(), now(), id FROM purchase_orders WHERE id = :oid RETURNING id \gset r_
INSERT INTO reception_lines (document_id, order_line_id, product_id, warehouse_id, quantity, unit_price) SELECT :r_id, id, product_id, :wid, 1, unit_price FROM purchase_order_lines WHERE document_id = :oid ORDER BY id LIMIT 1 RETURNING id;
INSERT INTO document_events (doc_kind, document_id, action, from_status, to_status, user_id, note, created_at) VALUES ('reception', :r_id, 'created', '', 'draft', 1, '', now()) RETURNING id;
END;
BEGIN;
SELECT * FROM receptions WHERE id = :r_id FOR UPDATE;
SELECT * FROM reception_lines WHERE document_id = :r_id ORDER BY document_id, id;
SELECT * FROM purchase_orders WHERE id = :oid FOR UPDATE;
SELECT * FROM purchase_order_lines WHERE document_id = :oid ORDER BY position, id;
SELECT l.order_line_id, SUM(l.quantity) FROM reception_lines l JOIN receptions r ON r.id = l.document_id WHERE r.order_id = :oid AND r.status = 1 GROUP BY l.order_line_id;
SELECT 0, id, type FROM products WHERE id IN (SELECT product_id FROM reception_lines WHERE document_id = :r_id) UNION ALL SELECT 1, id, status FROM warehouses WHERE id = :wid;
SELECT id, average_cost FROM products WHERE id = (SELECT product_id FROM reception_lines WHERE document_id = :r_id) FOR NO KEY UPDATE;
SELECT * FROM product_stock WHERE product_id = (SELECT product_id FROM reception_lines WHERE document_id = :r_id) AND warehouse_id = :wid FOR UPDATE;
SELECT COALESCE(SUM(quantity), 0) FROM product_stock WHERE product_id = (SELECT product_id FROM reception_lines WHERE document_id = :r_id);
UPDATE product_stock SET quantity = quantity + 1, updated_at = now() WHERE product_id = (SELECT product_id FROM reception_lines WHERE document_id = :r_id) AND warehouse_id = :wid;
UPDATE products SET average_cost = average_cost WHERE id = (SELECT product_id FROM reception_lines WHERE document_id = :r_id);
INSERT INTO stock_movements (product_id, warehouse_id, quantity, unit_price, kind, label, inventory_code, origin_type, origin_id, created_at) SELECT product_id, :wid, 1, unit_price, 3, 'Reception', '', 'reception', :r_id, now() FROM reception_lines WHERE document_id = :r_id RETURNING id;
INSERT INTO document_events (doc_kind, document_id, action, from_status, to_status, user_id, note, created_at) VALUES ('purchase_order', :oid, 'received', 'ordered', 'partly_received', 1, '', now()) RETURNING id;
UPDATE purchase_orders SET status = 4, version = version + 1, updated_at = now() WHERE id = :oid;
INSERT INTO document_events (doc_kind, document_id, action, from_status, to_status, user_id, note, created_at) VALUES ('reception', :r_id, 'validated', 'draft', 'validated', 1, '', now()) RETURNING id;
INSERT INTO numbering_counters (scope, period_key, last_value) VALUES ('pgbench.reception', '', 1) ON CONFLICT (scope, period_key) DO UPDATE SET last_value = numbering_counters.last_value + 1 RETURNING last_value;
UPDATE receptions SET status = 1, ref = 'PGB' || :r_id, version = version + 1, validated_at = now(), updated_at = now() WHERE id = :r_id;
END;
`, firstOrder, orders, warehouse)
	return harness.PGBench(dsn, script, clients, d)
}
