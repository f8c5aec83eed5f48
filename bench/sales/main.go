// Command sales load-tests the sales documents through HTTP on PostgreSQL:
// creating an invoice with 3 lines and validating it (stock debit, gap-free
// number), sequentially and with concurrent clients, and reading an invoice
// of 20 lines. In the same run pgbench measures the machine's ceiling for a
// transaction that only draws a gap-free number, the one step every
// validation serialises on.
//
//	go build -o /tmp/dolibarr-api ./cmd/api
//	go run ./bench/sales -bin /tmp/dolibarr-api -duration 10s -clients 16
//
// It creates a fresh database on the -pg server, starts the API binary on it
// (migrating on start), seeds a customer, 100 stocked products, a service
// and a warehouse, runs each scenario for -duration and prints a Markdown
// table.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/dolibarr-go/dolibarr/bench/internal/harness"
)

func main() {
	bin := flag.String("bin", "/tmp/dolibarr-api", "API binary (go build -o ... ./cmd/api)")
	pg := flag.String("pg", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "PostgreSQL admin DSN")
	duration := flag.Duration("duration", 10*time.Second, "length of each scenario")
	clients := flag.Int("clients", 16, "concurrent HTTP clients of the concurrent scenarios")
	readers := flag.Int("readers", 32, "concurrent HTTP clients of the GET scenario")
	conns := flag.Int("db-conns", 20, "API database pool size (DOLIBARR_DB_MAX_OPEN_CONNS)")
	flag.Parse()
	if err := run(*bin, *pg, *duration, *clients, *readers, *conns); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type obj = map[string]any

func run(bin, adminDSN string, d time.Duration, clients, readers, conns int) error {
	db, err := harness.CreateDB(context.Background(), adminDSN, "dgsales")
	if err != nil {
		return err
	}
	defer db.Drop()
	api, err := harness.StartAPI(bin, db.DSN, conns)
	if err != nil {
		return err
	}
	defer api.Stop()
	c := harness.NewClient(api.Base, max(clients, readers)*2)
	if err := c.Login(harness.AdminLogin, harness.AdminPassword); err != nil {
		return err
	}

	// Seed.
	var wh, cust, svc struct{ ID int64 }
	if err := c.Do("POST", "/api/v1/warehouses", obj{"label": "Bench"}, &wh); err != nil {
		return err
	}
	if err := c.Do("POST", "/api/v1/thirdparties", obj{"name": "Bench customer", "customer": true, "payment_terms": "30D"}, &cust); err != nil {
		return err
	}
	if err := c.Do("POST", "/api/v1/products", obj{"ref": "SVC", "label": "Support", "type": "service", "price": "50", "vat_rate": "20"}, &svc); err != nil {
		return err
	}
	products := make([]int64, 100)
	for i := range products {
		var p struct{ ID int64 }
		if err := c.Do("POST", "/api/v1/products", obj{"ref": fmt.Sprintf("G%03d", i), "label": fmt.Sprintf("Goods %d", i), "price": "6.36", "vat_rate": "21"}, &p); err != nil {
			return err
		}
		if err := c.Do("POST", "/api/v1/stock/movements", obj{"product_id": p.ID, "warehouse_id": wh.ID, "quantity": "100000000"}, nil); err != nil {
			return err
		}
		products[i] = p.ID
	}

	createValidate := func(int) error {
		var inv struct{ ID int64 }
		err := c.Do("POST", "/api/v1/invoices", obj{"customer_id": cust.ID, "lines": []obj{
			{"product_id": products[harness.FastRand()%len(products)], "quantity": "5"},
			{"product_id": svc.ID, "quantity": "1", "discount_percent": "10"},
			{"description": "Delivery", "quantity": "1", "unit_price": "12.50", "vat_rate": "20"},
		}}, &inv)
		if err != nil {
			return err
		}
		return c.Do("POST", fmt.Sprintf("/api/v1/invoices/%d/validate", inv.ID), obj{"warehouse_id": wh.ID}, nil)
	}

	type row struct {
		name   string
		r      harness.Result
		cpu    harness.CPUShare // per successful operation
		target string
	}
	var rows []row
	// A short warm-up opens the API's pool, so every backend is counted.
	harness.Load(clients, time.Second, createValidate)
	measure := func(name, target string, n int, fn func(int) error) {
		m := harness.StartCPU(context.Background(), db, api.PID())
		r := harness.Load(n, d, fn)
		rows = append(rows, row{name, r, m.Per(int64(r.Rate * d.Seconds())), target})
	}
	measure("create (3 lines) + validate, 1 client", ">= 300/s", 1, createValidate)
	measure(fmt.Sprintf("create (3 lines) + validate, %d clients", clients), ">= 1,000/s", clients, createValidate)

	lines := make([]obj, 20)
	for i := range lines {
		lines[i] = obj{"product_id": products[i], "quantity": strconv.Itoa(i + 1), "discount_percent": "5"}
	}
	var big struct{ ID int64 }
	if err := c.Do("POST", "/api/v1/invoices", obj{"customer_id": cust.ID, "lines": lines}, &big); err != nil {
		return err
	}
	if err := c.Do("POST", fmt.Sprintf("/api/v1/invoices/%d/validate", big.ID), obj{"warehouse_id": wh.ID}, nil); err != nil {
		return err
	}
	path := fmt.Sprintf("/api/v1/invoices/%d", big.ID)
	measure(fmt.Sprintf("GET invoice with 20 lines, %d clients", readers), ">= 5,000/s", readers, func(int) error { return c.Do("GET", path, nil, nil) })

	pgb, err := pgbench(db.DSN, clients, d)
	if err != nil {
		return err
	}

	fmt.Printf("\n%s per scenario, API pool %d connections\n\n", d, conns)
	fmt.Println("| scenario | ops/s | errors | p50 | p99 | CPU per op: API / PostgreSQL / load generator | target |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, x := range rows {
		fmt.Printf("| %s | %.0f | %d | %.2f ms | %.2f ms | %d / %d / %d us | %s |\n", x.name, x.r.Rate, x.r.Errors,
			harness.Ms(x.r.P50), harness.Ms(x.r.P99), x.cpu.API.Microseconds(), x.cpu.PG.Microseconds(), x.cpu.Client.Microseconds(), x.target)
	}
	fmt.Printf("| pgbench: draw a number only (upsert counter + commit), %d clients | %.0f | | | | | ceiling |\n", clients, pgb)
	return nil
}

// pgbench measures the ceiling of gap-free numbering on this machine: a
// transaction that only increments the counter row (locked until commit)
// and commits, so its rate is bounded by the commit latency.
func pgbench(dsn string, clients int, d time.Duration) (float64, error) {
	script := `BEGIN;
INSERT INTO numbering_counters (scope, period_key, last_value) VALUES ('pgbench', '', 1) ON CONFLICT (scope, period_key) DO UPDATE SET last_value = numbering_counters.last_value + 1 RETURNING last_value;
END;
`
	return harness.PGBench(dsn, script, clients, d)
}
