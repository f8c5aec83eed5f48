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
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" driver
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
	ctx := context.Background()
	var rb [4]byte
	_, _ = rand.Read(rb[:])
	name := "dgsales_" + hex.EncodeToString(rb[:])
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
	maxc := max(clients, readers) * 2
	hc := &http.Client{Transport: &http.Transport{MaxIdleConns: maxc, MaxIdleConnsPerHost: maxc}, Timeout: 30 * time.Second}
	if err := waitReady(hc, base); err != nil {
		return err
	}
	c := &client{hc: hc, base: base}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := c.do("POST", "/api/v1/auth/login", obj{"login": "bench", "password": "bench-password-123"}, &tok); err != nil {
		return fmt.Errorf("login: %w", err)
	}
	c.token = tok.AccessToken

	// Seed.
	var wh, cust, svc struct{ ID int64 }
	if err := c.do("POST", "/api/v1/warehouses", obj{"label": "Bench"}, &wh); err != nil {
		return err
	}
	if err := c.do("POST", "/api/v1/thirdparties", obj{"name": "Bench customer", "customer": true, "payment_terms": "30D"}, &cust); err != nil {
		return err
	}
	if err := c.do("POST", "/api/v1/products", obj{"ref": "SVC", "label": "Support", "type": "service", "price": "50", "vat_rate": "20"}, &svc); err != nil {
		return err
	}
	products := make([]int64, 100)
	for i := range products {
		var p struct{ ID int64 }
		if err := c.do("POST", "/api/v1/products", obj{"ref": fmt.Sprintf("G%03d", i), "label": fmt.Sprintf("Goods %d", i), "price": "6.36", "vat_rate": "21"}, &p); err != nil {
			return err
		}
		if err := c.do("POST", "/api/v1/stock/movements", obj{"product_id": p.ID, "warehouse_id": wh.ID, "quantity": "100000000"}, nil); err != nil {
			return err
		}
		products[i] = p.ID
	}

	createValidate := func(i int) error {
		var inv struct{ ID int64 }
		err := c.do("POST", "/api/v1/invoices", obj{"customer_id": cust.ID, "lines": []obj{
			{"product_id": products[fastRand(i)%len(products)], "quantity": "5"},
			{"product_id": svc.ID, "quantity": "1", "discount_percent": "10"},
			{"description": "Delivery", "quantity": "1", "unit_price": "12.50", "vat_rate": "20"},
		}}, &inv)
		if err != nil {
			return err
		}
		return c.do("POST", fmt.Sprintf("/api/v1/invoices/%d/validate", inv.ID), obj{"warehouse_id": wh.ID}, nil)
	}

	type row struct {
		name   string
		r      result
		cpu    time.Duration // API process CPU per successful operation
		target string
	}
	var rows []row
	pid := cmd.Process.Pid
	measure := func(name, target string, n int, fn func(int) error) {
		before := cpuTime(pid)
		r := load(n, d, fn)
		var per time.Duration
		if ops := int64(r.rate * d.Seconds()); ops > 0 {
			per = (cpuTime(pid) - before) / time.Duration(ops)
		}
		rows = append(rows, row{name, r, per, target})
	}
	measure("create (3 lines) + validate, 1 client", ">= 300/s", 1, createValidate)
	measure(fmt.Sprintf("create (3 lines) + validate, %d clients", clients), ">= 1,000/s", clients, createValidate)

	lines := make([]obj, 20)
	for i := range lines {
		lines[i] = obj{"product_id": products[i], "quantity": strconv.Itoa(i + 1), "discount_percent": "5"}
	}
	var big struct{ ID int64 }
	if err := c.do("POST", "/api/v1/invoices", obj{"customer_id": cust.ID, "lines": lines}, &big); err != nil {
		return err
	}
	if err := c.do("POST", fmt.Sprintf("/api/v1/invoices/%d/validate", big.ID), obj{"warehouse_id": wh.ID}, nil); err != nil {
		return err
	}
	path := fmt.Sprintf("/api/v1/invoices/%d", big.ID)
	measure(fmt.Sprintf("GET invoice with 20 lines, %d clients", readers), ">= 5,000/s", readers, func(int) error { return c.do("GET", path, nil, nil) })

	pgb, err := pgbench(dsn, clients, d)
	if err != nil {
		return err
	}

	fmt.Printf("\n%s per scenario, API pool %d connections\n\n", d, conns)
	fmt.Println("| scenario | ops/s | errors | p50 | p99 | API CPU per op | target |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, x := range rows {
		fmt.Printf("| %s | %.0f | %d | %.2f ms | %.2f ms | %d us | %s |\n", x.name, x.r.rate, x.r.errors, ms(x.r.p50), ms(x.r.p99), x.cpu.Microseconds(), x.target)
	}
	fmt.Printf("| pgbench: draw a number only (upsert counter + commit), %d clients | %.0f | | | | | ceiling |\n", clients, pgb)
	return nil
}

// cpuTime is the user + system CPU time the process pid has used, from
// /proc/<pid>/stat (clock ticks of 10 ms), 0 when unreadable.
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses and may hold spaces.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
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
// receives the JSON body; otherwise the body is drained.
func (c *client) do(method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
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
func load(n int, d time.Duration, fn func(i int) error) result {
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
				err := fn(i)
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

// pgbench measures the ceiling of gap-free numbering on this machine: a
// transaction that only increments the counter row (locked until commit)
// and commits, so its rate is bounded by the commit latency.
func pgbench(dsn string, clients int, d time.Duration) (float64, error) {
	script := `BEGIN;
INSERT INTO numbering_counters (scope, period_key, last_value) VALUES ('pgbench', '', 1) ON CONFLICT (scope, period_key) DO UPDATE SET last_value = numbering_counters.last_value + 1 RETURNING last_value;
END;
`
	f, err := os.CreateTemp("", "pgbench-sales-*.sql")
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
