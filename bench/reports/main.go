// Command reports measures the reports on PostgreSQL with a large history:
// it bulk loads -lines invoice lines (1,000,000 by default; five per
// invoice, so 200,000 invoices over five years, with credit notes, open,
// paid, draft and abandoned invoices, both rounding modes) with
// generate_series, then for each report prints EXPLAIN (ANALYZE, BUFFERS)
// and the time to stream all its rows through the repository. It then
// drops the indexes of migration 000007 and explains turnover and aging
// again, to show what those indexes buy.
//
//	go run ./bench/reports                 # fresh database, dropped at the end
//	go run ./bench/reports -lines 100000   # quicker
//
// It is not part of `make test`: loading takes about a minute on two cores.
// The suite keeps a small version (TestReportPlansUseTheReportIndexes).
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/dolibarr-go/dolibarr/bench/internal/harness"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/usecase/reports"
)

func main() {
	pg := flag.String("pg", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "PostgreSQL admin DSN")
	lines := flag.Int("lines", 1_000_000, "invoice lines to load (five per invoice)")
	customers := flag.Int("customers", 2_000, "customers")
	products := flag.Int("products", 1_000, "products")
	runs := flag.Int("runs", 3, "timed runs of each report (the best is kept)")
	keep := flag.Bool("keep", false, "keep the database (its name is printed)")
	flag.Parse()
	if err := run(*pg, *lines, *customers, *products, *runs, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// reportCase is one report run with fixed parameters; "today" is
// 2025-12-31, the end of the loaded history.
type reportCase struct {
	label  string
	name   reports.Name
	params reports.Params
}

func date(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

var cases = []reportCase{
	{"turnover, 2025 by month", reports.Turnover, reports.Params{From: date("2025-01-01"), To: date("2025-12-31")}},
	{"turnover, 2025 by month and customer", reports.Turnover, reports.Params{From: date("2025-01-01"), To: date("2025-12-31"), PerCustomer: true}},
	{"turnover, one customer, five years by day", reports.Turnover, reports.Params{From: date("2021-01-01"), To: date("2025-12-31"), GroupBy: reports.GrainDay, CustomerID: 42}},
	{"aging as of 2025-12-31", reports.Aging, reports.Params{AsOf: date("2025-12-31")}},
	{"VAT, 2025 by month", reports.VAT, reports.Params{From: date("2025-01-01"), To: date("2025-12-31")}},
	{"VAT, one month", reports.VAT, reports.Params{From: date("2025-11-01"), To: date("2025-11-30")}},
	{"top 10 customers, 2025", reports.TopCustomers, reports.Params{From: date("2025-01-01"), To: date("2025-12-31")}},
	{"top 10 products, 2025", reports.TopProducts, reports.Params{From: date("2025-01-01"), To: date("2025-12-31")}},
	{"stock valuation", reports.StockValuation, reports.Params{}},
}

func run(adminDSN string, lines, customers, products, runs int, keep bool) error {
	ctx := context.Background()
	tdb, err := harness.CreateDB(ctx, adminDSN, "dgreports")
	if err != nil {
		return err
	}
	if keep {
		fmt.Println("database:", tdb.Name)
		defer tdb.Keep()
	} else {
		defer tdb.Drop()
	}
	db, err := persistence.Open(persistence.Options{Driver: "postgres", DSN: tdb.DSN, MaxOpenConns: 4, MaxIdleConns: 4})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.MigrateUp(); err != nil {
		return err
	}

	start := time.Now()
	if err := load(ctx, db.SQL(), lines, customers, products); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	var sizes string
	if err := db.SQL().QueryRowContext(ctx, `SELECT format('invoices %s rows %s, invoice_lines %s rows %s; indexes invoices_turnover %s, invoices_open %s, invoice_lines_report %s',
		(SELECT count(*) FROM invoices), pg_size_pretty(pg_table_size('invoices')),
		(SELECT count(*) FROM invoice_lines), pg_size_pretty(pg_table_size('invoice_lines')),
		pg_size_pretty(pg_relation_size('invoices_turnover')), pg_size_pretty(pg_relation_size('invoices_open')),
		pg_size_pretty(pg_relation_size('invoice_lines_report')))`).Scan(&sizes); err != nil {
		return err
	}
	fmt.Printf("loaded in %v: %s\n", time.Since(start).Round(time.Second), sizes)

	repo, err := persistence.NewReportRepo(db, reports.All())
	if err != nil {
		return err
	}
	svc := reports.New(repo, func() time.Time { return date("2025-12-31") })

	type timing struct {
		label        string
		rows         int64
		best         time.Duration
		exec, planMs string
		indexes      string
	}
	var table []timing
	for _, c := range cases {
		q, _, err := svc.Query(c.name, c.params)
		if err != nil {
			return err
		}
		if err := drain(ctx, svc, c); err != nil { // warm the cache first
			return err
		}
		plan, err := repo.Explain(ctx, q, true)
		if err != nil {
			return fmt.Errorf("%s: %w", c.label, err)
		}
		fmt.Printf("\n### %s\n\n%s", c.label, plan)
		tm := timing{label: c.label, best: time.Hour, exec: planValue(plan, "Execution Time"), planMs: planValue(plan, "Planning Time"), indexes: indexesUsed(plan)}
		for range runs {
			res, err := svc.Run(ctx, c.name, c.params)
			if err != nil {
				return err
			}
			t0 := time.Now()
			for _, err := range res.Rows() {
				if err != nil {
					return fmt.Errorf("%s: %w", c.label, err)
				}
			}
			tm.best = min(tm.best, time.Since(t0))
			tm.rows = res.Count()
		}
		table = append(table, tm)
	}

	fmt.Println("\n## Without the 000007 indexes")
	if _, err := db.SQL().ExecContext(ctx, `DROP INDEX invoices_turnover, invoices_open, invoice_lines_report`); err != nil {
		return err
	}
	if _, err := db.SQL().ExecContext(ctx, `ANALYZE invoices`); err != nil {
		return err
	}
	var without []string
	for _, c := range cases[:4] {
		q, _, err := svc.Query(c.name, c.params)
		if err != nil {
			return err
		}
		if err := drain(ctx, svc, c); err != nil {
			return err
		}
		plan, err := repo.Explain(ctx, q, true)
		if err != nil {
			return err
		}
		fmt.Printf("\n### %s (without)\n\n%s", c.label, plan)
		without = append(without, fmt.Sprintf("| %s | %s | %s |", c.label, planValue(plan, "Execution Time"), indexesUsed(plan)))
	}

	fmt.Println("\n## Summary (Markdown)")
	fmt.Println()
	fmt.Println("| report | rows | EXPLAIN ANALYZE execution | planning | streamed through the repository (best of", runs, ") | indexes in the plan |")
	fmt.Println("|---|---:|---:|---:|---:|---|")
	for _, tm := range table {
		fmt.Printf("| %s | %d | %s | %s | %v | %s |\n", tm.label, tm.rows, tm.exec, tm.planMs, tm.best.Round(100*time.Microsecond), tm.indexes)
	}
	fmt.Println()
	fmt.Println("| without the 000007 indexes | EXPLAIN ANALYZE execution | indexes in the plan |")
	fmt.Println("|---|---:|---|")
	for _, l := range without {
		fmt.Println(l)
	}
	return nil
}

// drain runs a report once, reading and dropping its rows.
func drain(ctx context.Context, svc *reports.Service, c reportCase) error {
	res, err := svc.Run(ctx, c.name, c.params)
	if err != nil {
		return err
	}
	for _, err := range res.Rows() {
		if err != nil {
			return fmt.Errorf("%s: %w", c.label, err)
		}
	}
	return nil
}

var (
	planTime = regexp.MustCompile(`(Planning|Execution) Time: ([0-9.]+ ms)`)
	planIdx  = regexp.MustCompile(`(Index Only Scan|Index Scan|Bitmap Index Scan) (?:Backward )?(?:using|on) (\w+)`)
	seqScan  = regexp.MustCompile(`Seq Scan on (\w+)`)
)

func planValue(plan, what string) string {
	for _, m := range planTime.FindAllStringSubmatch(plan, -1) {
		if strings.HasPrefix(what, m[1]) {
			return m[2]
		}
	}
	return "?"
}

// indexesUsed lists the scans of a plan: "Index Only Scan invoices_open",
// "Seq Scan invoices", ...
func indexesUsed(plan string) string {
	var out []string
	seen := map[string]bool{}
	for _, m := range planIdx.FindAllStringSubmatch(plan, -1) {
		if s := m[1] + " " + m[2]; !seen[s] {
			seen[s], out = true, append(out, s)
		}
	}
	for _, m := range seqScan.FindAllStringSubmatch(plan, -1) {
		if s := "Seq Scan " + m[1]; !seen[s] {
			seen[s], out = true, append(out, s)
		}
	}
	return strings.Join(out, ", ")
}

// load fills the database with generate_series: customers, products with
// stock in three warehouses, lines/5 invoices spread evenly over
// 2021-2025 with five lines each at four VAT rates, then the invoices'
// totals from their lines, the way the domain computes them per rounding
// mode. One invoice in 25 is a credit note (negative prices); of the
// invoices dated in the last 120 days 40 % are open (a third of those
// partly paid), 1 % of older ones are open too (bad payers), 0.5 % are
// drafts, 0.5 % abandoned, the rest paid.
func load(ctx context.Context, db *sql.DB, lines, customers, products int) error {
	invoices := lines / 5
	if invoices < 1 {
		return errors.New("need at least 5 lines")
	}
	stmts := []string{
		fmt.Sprintf(`INSERT INTO thirdparties (name, is_customer, customer_code, created_at, updated_at)
			SELECT 'Customer ' || lpad(g::text, 5, '0'), true, 'CU' || g, now(), now() FROM generate_series(1, %d) g`, customers),
		fmt.Sprintf(`INSERT INTO products (ref, label, price, vat_rate, average_cost, created_at, updated_at)
			SELECT 'P' || g, 'Product ' || g, (g %% 500 + 1) / 10.0, (ARRAY[20, 10, 5.5, 0])[g %% 4 + 1], round((g %% 500 + 1) / 17.0, 5), now(), now()
			FROM generate_series(1, %d) g`, products),
		`INSERT INTO warehouses (label, created_at, updated_at) SELECT 'Warehouse ' || g, now(), now() FROM generate_series(1, 3) g`,
		`INSERT INTO product_stock (product_id, warehouse_id, quantity, updated_at)
			SELECT p.id, w.id, (p.id * w.id) % 200 + 0.5, now() FROM products p CROSS JOIN warehouses w`,
		// Invoice g is dated evenly over 1826 days from 2021-01-01.
		fmt.Sprintf(`INSERT INTO invoices (ref, customer_id, status, doc_date, due_date, type, rounding, created_at, updated_at)
			SELECT 'FA' || g, 1 + (g * 7919) %% %d,
			       CASE WHEN g %% 200 = 0 THEN 0
			            WHEN g %% 200 = 1 THEN 3
			            WHEN d > date '2025-12-31' - 120 AND g %% 5 < 2 THEN 1
			            WHEN g %% 100 = 2 THEN 1
			            ELSE 2 END,
			       d, d + 30, CASE WHEN g %% 25 = 0 THEN 2 ELSE 0 END, CASE WHEN g %% 3 = 0 THEN 1 ELSE 0 END, now(), now()
			FROM (SELECT g, date '2021-01-01' + ((g - 1) * 1826 / %d) AS d FROM generate_series(1, %d) g) s`, customers, invoices, invoices),
		fmt.Sprintf(`INSERT INTO invoice_lines (document_id, position, product_id, product_type, description, quantity, unit_price, vat_rate, total_excl_tax, total_vat, total_incl_tax)
			SELECT i.id, k, p.id, 0, '', q, up, p.vat_rate, round(q * up, 2), round(q * up * (100 + p.vat_rate) / 100, 2) - round(q * up, 2), round(q * up * (100 + p.vat_rate) / 100, 2)
			FROM invoices i
			CROSS JOIN generate_series(1, 5) k
			CROSS JOIN LATERAL (SELECT (i.id * 5 + k) %% 10 + 1 AS q) qq
			JOIN products p ON p.id = 1 + (i.id * 31 + k * 17) %% %d
			CROSS JOIN LATERAL (SELECT CASE WHEN i.type = 2 THEN -p.price ELSE p.price END AS up) pr`, products),
		// Totals as domain.ComputeTotals makes them: per rate, the lines'
		// VAT (rounding 0) or the base times the rate rounded once (1).
		`UPDATE invoices i SET total_excl_tax = t.excl, total_vat = t.vat, total_incl_tax = t.excl + t.vat
			FROM (SELECT document_id, sum(base) AS excl, sum(vat) AS vat FROM (
			        SELECT l.document_id, sum(l.total_excl_tax) AS base,
			               CASE WHEN max(i2.rounding) = 1 THEN round(sum(l.total_excl_tax) * l.vat_rate / 100, 2) ELSE sum(l.total_vat) END AS vat
			        FROM invoice_lines l JOIN invoices i2 ON i2.id = l.document_id
			        GROUP BY l.document_id, l.vat_rate) r
			      GROUP BY document_id) t
			WHERE t.document_id = i.id`,
		`UPDATE invoices SET paid = CASE WHEN status = 2 THEN total_incl_tax
		                                 WHEN status = 1 AND id % 3 = 0 THEN round(total_incl_tax / 2, 2)
		                                 ELSE 0 END`,
		// Loading updated every invoice twice; rebuild the indexes as the
		// migration builds them on an existing database, then gather
		// statistics and set the visibility map for index-only scans.
		`REINDEX TABLE invoices`,
		`REINDEX TABLE invoice_lines`,
		`VACUUM ANALYZE`,
	}
	for _, s := range stmts {
		t0 := time.Now()
		if _, err := db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", firstLine(s), err)
		}
		fmt.Printf("  %-70s %v\n", firstLine(s), time.Since(t0).Round(time.Millisecond))
	}
	return nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 70 {
		s = s[:67] + "..."
	}
	return s
}
