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
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" driver
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
	ctx := context.Background()
	var rb [4]byte
	_, _ = rand.Read(rb[:])
	name := "dgbench_" + hex.EncodeToString(rb[:])
	admin, err := sql.Open("pgx", adminDSN)
	if err != nil {
		return err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return err
	}
	defer admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") //nolint:errcheck // best effort
	u, err := url.Parse(adminDSN)
	if err != nil {
		return err
	}
	u.Path = "/" + name
	dsn := u.String()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	base := "http://" + addr
	var secret [32]byte
	_, _ = rand.Read(secret[:])
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(),
		"DOLIBARR_DB_DRIVER=postgres", "DOLIBARR_DB_DSN="+dsn, "DOLIBARR_MIGRATE_ON_START=true",
		fmt.Sprintf("DOLIBARR_DB_MAX_OPEN_CONNS=%d", conns), fmt.Sprintf("DOLIBARR_DB_MAX_IDLE_CONNS=%d", conns),
		"DOLIBARR_HTTP_ADDR="+addr, "DOLIBARR_LOG_LEVEL=warn",
		"DOLIBARR_JWT_SECRET="+hex.EncodeToString(secret[:]), "DOLIBARR_JWT_TTL=2h",
		"DOLIBARR_ADMIN_LOGIN=bench", "DOLIBARR_ADMIN_PASSWORD=bench-password-123")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	}()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConns: clients * 2, MaxIdleConnsPerHost: clients * 2}, Timeout: 30 * time.Second}
	if err := waitReady(hc, base); err != nil {
		return err
	}
	c := &client{hc: hc, base: base}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if _, err := c.do("POST", "/api/v1/auth/login", map[string]string{"login": "bench", "password": "bench-password-123"}, &tok); err != nil {
		return fmt.Errorf("login: %w", err)
	}
	c.token = tok.AccessToken

	// Seed.
	var wh struct{ ID int64 }
	if _, err := c.do("POST", "/api/v1/warehouses", map[string]any{"label": "Bench"}, &wh); err != nil {
		return err
	}
	products := make([]int64, 1001)
	for i := range products {
		var p struct{ ID int64 }
		if _, err := c.do("POST", "/api/v1/products", map[string]any{"ref": fmt.Sprintf("B%04d", i), "label": fmt.Sprintf("Bench product %d", i), "price": "12.5", "vat_rate": "20"}, &p); err != nil {
			return err
		}
		if _, err := c.do("POST", "/api/v1/stock/movements", map[string]any{"product_id": p.ID, "warehouse_id": wh.ID, "quantity": "100000000"}, nil); err != nil {
			return err
		}
		products[i] = p.ID
	}
	for i := range 200 {
		if _, err := c.do("POST", "/api/v1/thirdparties", map[string]any{"name": fmt.Sprintf("Bench customer %03d", i), "customer": true, "town": "Lyon"}, nil); err != nil {
			return err
		}
	}
	hot, spread := products[0], products[1:]

	type row struct {
		name   string
		r      result
		pgb    float64
		target string
	}
	var rows []row
	debit := func(pid int64) (int, error) {
		return c.do("POST", "/api/v1/stock/movements", map[string]any{"product_id": pid, "warehouse_id": wh.ID, "quantity": "-1", "label": "bench"}, nil)
	}
	r := load(clients, d, func(int) (int, error) { return debit(hot) })
	pgHot, err := pgbench(dsn, clients, d, fmt.Sprintf("\\set pid %d\n", hot), wh.ID)
	if err != nil {
		return err
	}
	rows = append(rows, row{"debit, one hot product (POST /stock/movements)", r, pgHot, ">= 1,000/s (~0.55 of pgbench)"})

	r = load(clients, d, func(i int) (int, error) { return debit(spread[fastRand(i)%len(spread)]) })
	pgSpread, err := pgbench(dsn, clients, d, fmt.Sprintf("\\set pid random(%d, %d)\n", spread[0], spread[len(spread)-1]), wh.ID)
	if err != nil {
		return err
	}
	rows = append(rows, row{"debit, spread over 1,000 products", r, pgSpread, ">= 3,000/s"})

	r = load(clients, d, func(i int) (int, error) {
		return c.do("GET", fmt.Sprintf("/api/v1/products/%d", products[fastRand(i)%len(products)]), nil, nil)
	})
	rows = append(rows, row{"GET /products/{id}", r, 0, ">= 10,000/s, p99 < 10 ms"})

	r = load(clients, d, func(int) (int, error) { return c.do("GET", "/api/v1/thirdparties?limit=50&sort=name", nil, nil) })
	rows = append(rows, row{"GET /thirdparties?limit=50", r, 0, ">= 1,500/s, p99 < 30 ms"})

	fmt.Printf("\n%d HTTP clients, %s per scenario, API pool %d connections, pgbench -c %d -j 2 -M prepared\n\n", clients, d, conns, clients)
	fmt.Println("| scenario | req/s | errors | p50 | p99 | pgbench tps (same tx) | ratio | target |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	for _, x := range rows {
		pg, ratio := "", ""
		if x.pgb > 0 {
			pg = fmt.Sprintf("%.0f", x.pgb)
			ratio = fmt.Sprintf("%.2f", x.r.rate/x.pgb)
		}
		fmt.Printf("| %s | %.0f | %d | %.2f ms | %.2f ms | %s | %s | %s |\n", x.name, x.r.rate, x.r.errors, ms(x.r.p50), ms(x.r.p99), pg, ratio, x.target)
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

var seed atomic.Uint64

// fastRand is a cheap per-call pseudo-random index (splitmix64).
func fastRand(int) int {
	z := seed.Add(0x9e3779b97f4a7c15)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return int((z ^ (z >> 31)) >> 1)
}

type client struct {
	hc    *http.Client
	base  string
	token string
}

// do sends one request; a status >= 300 is an error. out, when not nil,
// receives the JSON body.
func (c *client) do(method, path string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, err
	}
	if res.StatusCode >= 300 {
		return res.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, raw)
	}
	if out != nil {
		return res.StatusCode, json.Unmarshal(raw, out)
	}
	return res.StatusCode, nil
}

func waitReady(hc *http.Client, base string) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		res, err := hc.Get(base + "/ready")
		if err == nil {
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return errors.New("API not ready after 30 s")
}

type result struct {
	rate     float64
	errors   int64
	p50, p99 time.Duration
}

// load runs fn from n goroutines for d and reports the rate of successful
// calls and the latency percentiles of all calls.
func load(n int, d time.Duration, fn func(i int) (int, error)) result {
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		lat    []time.Duration
		ok     atomic.Int64
		failed atomic.Int64
		first  atomic.Value
	)
	stop := time.Now().Add(d)
	start := time.Now()
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, 4096)
			for time.Now().Before(stop) {
				t0 := time.Now()
				_, err := fn(i)
				local = append(local, time.Since(t0))
				if err != nil {
					failed.Add(1)
					first.CompareAndSwap(nil, err.Error())
					continue
				}
				ok.Add(1)
			}
			mu.Lock()
			lat = append(lat, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	el := time.Since(start)
	if e := first.Load(); e != nil {
		fmt.Fprintln(os.Stderr, "first error:", e)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(float64(len(lat))*p))]
	}
	return result{rate: float64(ok.Load()) / el.Seconds(), errors: failed.Load(), p50: pct(0.50), p99: pct(0.99)}
}

var tpsRe = regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`)

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
	f, err := os.CreateTemp("", "pgbench-*.sql")
	if err != nil {
		return 0, err
	}
	defer os.Remove(f.Name())
	if _, err := f.WriteString(script); err != nil {
		return 0, err
	}
	_ = f.Close()
	out, err := exec.Command("pgbench", "-n", "-M", "prepared", "-c", strconv.Itoa(clients), "-j", "2",
		"-T", strconv.Itoa(int(d.Seconds())), "-f", f.Name(), dsn).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("pgbench: %w: %s", err, out)
	}
	m := tpsRe.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("pgbench: no tps in %s", out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}
