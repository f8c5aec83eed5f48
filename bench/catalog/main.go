// Command catalog load-tests the catalogue and stock API through HTTP on
// PostgreSQL and, in the same run, measures the machine's own limit for the
// same lock + update + insert transaction with pgbench, so each stock figure
// is also a ratio.
//
//	go build -o /tmp/dolibarr-api ./cmd/api
//	go run ./bench/catalog -bin /tmp/dolibarr-api -duration 15s -clients 32
//
// It creates a fresh database on the -pg server, starts the API binary on it
// (migrating on start), seeds 1,001 products, a warehouse and 200 third
// parties, then runs each scenario for -duration with -clients concurrent
// HTTP clients and prints a Markdown table.
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
	duration := flag.Duration("duration", 15*time.Second, "length of each scenario")
	clients := flag.Int("clients", 32, "concurrent HTTP clients (and pgbench clients)")
	conns := flag.Int("db-conns", 20, "API database pool size (DOLIBARR_DB_MAX_OPEN_CONNS)")
	flag.Parse()
	if err := run(*bin, *pg, *duration, *clients, *conns); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(bin, adminDSN string, d time.Duration, clients, conns int) error {
	db, err := harness.CreateDB(context.Background(), adminDSN, "dgbench")
	if err != nil {
		return err
	}
	defer db.Drop()
	dsn := db.DSN
	api, err := harness.StartAPI(bin, dsn, conns)
	if err != nil {
		return err
	}
	defer api.Stop()
	c := harness.NewClient(api.Base, clients*2)
	if err := c.Login(harness.AdminLogin, harness.AdminPassword); err != nil {
		return err
	}

	// Seed.
	var wh struct{ ID int64 }
	if err := c.Do("POST", "/api/v1/warehouses", map[string]any{"label": "Bench"}, &wh); err != nil {
		return err
	}
	products := make([]int64, 1001)
	for i := range products {
		var p struct{ ID int64 }
		if err := c.Do("POST", "/api/v1/products", map[string]any{"ref": fmt.Sprintf("B%04d", i), "label": fmt.Sprintf("Bench product %d", i), "price": "12.5", "vat_rate": "20"}, &p); err != nil {
			return err
		}
		if err := c.Do("POST", "/api/v1/stock/movements", map[string]any{"product_id": p.ID, "warehouse_id": wh.ID, "quantity": "100000000"}, nil); err != nil {
			return err
		}
		products[i] = p.ID
	}
	for i := range 200 {
		if err := c.Do("POST", "/api/v1/thirdparties", map[string]any{"name": fmt.Sprintf("Bench customer %03d", i), "customer": true, "town": "Lyon"}, nil); err != nil {
			return err
		}
	}
	hot, spread := products[0], products[1:]

	type row struct {
		name   string
		r      harness.Result
		pgb    float64
		target string
	}
	var rows []row
	debit := func(pid int64) error {
		return c.Do("POST", "/api/v1/stock/movements", map[string]any{"product_id": pid, "warehouse_id": wh.ID, "quantity": "-1", "label": "bench"}, nil)
	}
	r := harness.Load(clients, d, func(int) error { return debit(hot) })
	pgHot, err := pgbench(dsn, clients, d, fmt.Sprintf("\\set pid %d\n", hot), wh.ID)
	if err != nil {
		return err
	}
	rows = append(rows, row{"debit, one hot product (POST /stock/movements)", r, pgHot, ">= 1,000/s (~0.55 of pgbench)"})

	r = harness.Load(clients, d, func(int) error { return debit(spread[harness.FastRand()%len(spread)]) })
	pgSpread, err := pgbench(dsn, clients, d, fmt.Sprintf("\\set pid random(%d, %d)\n", spread[0], spread[len(spread)-1]), wh.ID)
	if err != nil {
		return err
	}
	rows = append(rows, row{"debit, spread over 1,000 products", r, pgSpread, ">= 3,000/s"})

	r = harness.Load(clients, d, func(int) error {
		return c.Do("GET", fmt.Sprintf("/api/v1/products/%d", products[harness.FastRand()%len(products)]), nil, nil)
	})
	rows = append(rows, row{"GET /products/{id}", r, 0, ">= 10,000/s, p99 < 10 ms"})

	r = harness.Load(clients, d, func(int) error { return c.Do("GET", "/api/v1/thirdparties?limit=50&sort=name", nil, nil) })
	rows = append(rows, row{"GET /thirdparties?limit=50", r, 0, ">= 1,500/s, p99 < 30 ms"})

	fmt.Printf("\n%d HTTP clients, %s per scenario, API pool %d connections, pgbench -c %d -j 2 -M prepared\n\n", clients, d, conns, clients)
	fmt.Println("| scenario | req/s | errors | p50 | p99 | pgbench tps (same tx) | ratio | target |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	for _, x := range rows {
		pg, ratio := "", ""
		if x.pgb > 0 {
			pg = fmt.Sprintf("%.0f", x.pgb)
			ratio = fmt.Sprintf("%.2f", x.r.Rate/x.pgb)
		}
		fmt.Printf("| %s | %.0f | %d | %.2f ms | %.2f ms | %s | %s | %s |\n", x.name, x.r.Rate, x.r.Errors, harness.Ms(x.r.P50), harness.Ms(x.r.P99), pg, ratio, x.target)
	}
	return nil
}

// pgbench runs the API's debit transaction as pgbench sees it: lock the
// stock row, update it, insert the journal line, commit.
func pgbench(dsn string, clients int, d time.Duration, setPID string, warehouse int64) (float64, error) {
	script := setPID + fmt.Sprintf(`\set wid %d
BEGIN;
SELECT id, product_id, warehouse_id, quantity, updated_at FROM product_stock WHERE product_id = :pid AND warehouse_id = :wid LIMIT 1 FOR UPDATE;
UPDATE product_stock SET quantity = quantity - 1, updated_at = now() WHERE product_id = :pid AND warehouse_id = :wid;
INSERT INTO stock_movements (product_id, warehouse_id, quantity, unit_price, kind, label, inventory_code, origin_type, origin_id, created_at) VALUES (:pid, :wid, -1, 0, 2, 'pgbench', '', '', 0, now()) RETURNING id;
END;
`, warehouse)
	return harness.PGBench(dsn, script, clients, d)
}
