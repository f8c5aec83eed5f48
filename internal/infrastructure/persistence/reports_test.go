package persistence_test

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/testdb"
	"github.com/dolibarr-go/dolibarr/internal/usecase/reports"
)

// embeddedReports copies the embedded report SQL into a map the tests can
// break.
func embeddedReports(t *testing.T) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(persistence.ReportFiles(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(persistence.ReportFiles(), p)
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	require.NoError(t, err)
	return m
}

// TestEveryReportHasSQLForEveryDialect fails when a report lacks a dialect:
// the embedded files pass, and removing any one file makes the check (the
// same one NewReportRepo runs at start-up) name that report and dialect.
func TestEveryReportHasSQLForEveryDialect(t *testing.T) {
	require.NoError(t, persistence.CheckReportSQL(persistence.ReportFiles(), reports.All()))
	require.Len(t, embeddedReports(t), len(reports.All())*len(persistence.ReportDialects), "one file per report and dialect")

	for _, def := range reports.All() {
		for _, dialect := range persistence.ReportDialects {
			broken := embeddedReports(t)
			file := path.Join("reports", dialect, string(def.Name)+".sql")
			delete(broken, file)
			err := persistence.CheckReportSQL(broken, reports.All())
			require.Error(t, err, "without %s", file)
			require.Contains(t, err.Error(), fmt.Sprintf("report %s has no %s query", def.Name, dialect))
		}
	}
}

// TestReportSQLParametersMatchTheDefinitions refuses a query using a
// parameter its definition does not bind (or missing one it binds), and a
// query no definition describes.
func TestReportSQLParametersMatchTheDefinitions(t *testing.T) {
	broken := embeddedReports(t)
	f := broken["reports/mysql/aging.sql"]
	f.Data = []byte(strings.Replace(string(f.Data), ":customer_id", ":customer", 1))
	broken["reports/sqlite/margins.sql"] = &fstest.MapFile{Data: []byte("SELECT 1")}
	err := persistence.CheckReportSQL(broken, reports.All())
	require.Error(t, err)
	require.Contains(t, err.Error(), "reports/mysql/aging.sql uses parameters [as_of customer customer_id], the definition binds [as_of customer_id]")
	require.Contains(t, err.Error(), `reports/sqlite/margins.sql: no report definition named "margins"`)
}

func TestCompileNamedParameters(t *testing.T) {
	src := "SELECT :a, CAST(:b AS date), :a, 'x:y''s :z', x::date, \":q\" -- :c\n/* :d */ FROM t WHERE v := :b_2"
	text, args, err := persistence.CompileNamed("postgres", src)
	require.NoError(t, err)
	require.Equal(t, "SELECT $1, CAST($2 AS date), $1, 'x:y''s :z', x::date, \":q\" -- :c\n/* :d */ FROM t WHERE v := $3", text)
	require.Equal(t, []string{"a", "b", "b_2"}, args)

	for _, dialect := range []string{"mysql", "sqlite"} {
		text, args, err = persistence.CompileNamed(dialect, src)
		require.NoError(t, err)
		require.Equal(t, "SELECT ?, CAST(? AS date), ?, 'x:y''s :z', x::date, \":q\" -- :c\n/* :d */ FROM t WHERE v := ?", text)
		require.Equal(t, []string{"a", "b", "a", "b_2"}, args)
	}

	_, _, err = persistence.CompileNamed("postgres", "SELECT 'open")
	require.ErrorContains(t, err, "unterminated")
	_, _, err = persistence.CompileNamed("mysql", "SELECT 1 /* open")
	require.ErrorContains(t, err, "unterminated")
}

// TestSQLiteDecimalFunctions: SQLite's own sum() of NUMERIC columns is a
// binary float; the report functions are exact and round half away from
// zero.
func TestSQLiteDecimalFunctions(t *testing.T) {
	db := testdb.New(t, "sqlite")
	ctx := context.Background()
	var float, exact, rounded, roundedNeg, product string
	var null *string
	err := db.SQL().QueryRowContext(ctx, `
		WITH v(x) AS (VALUES (CAST('0.1' AS NUMERIC)), (CAST('0.2' AS NUMERIC)), (NULL))
		SELECT CAST(sum(x) AS TEXT), dec_sum(x), dec_round('2.345', 2), dec_round(-2.345, 2),
		       dec_mul('1.00001', '99999.99999'), dec_add(NULL, 1) FROM v`).Scan(&float, &exact, &rounded, &roundedNeg, &product, &null)
	require.NoError(t, err)
	require.Equal(t, "0.30000000000000004", float, "the float sum the functions avoid")
	require.Equal(t, "0.3", exact)
	require.Equal(t, "2.35", rounded)
	require.Equal(t, "-2.35", roundedNeg)
	require.Equal(t, "100000.9999899999", product)
	require.Nil(t, null)

	var empty string
	require.NoError(t, db.SQL().QueryRowContext(ctx, `SELECT dec_sum(x) FROM (SELECT 1 AS x) WHERE x = 2`).Scan(&empty))
	require.Equal(t, "0", empty, "no value sums to 0, like total()")
}

// seedStock writes n products with stock in one warehouse: product i has
// i units at an average cost of 1.005 (a half cent to round on odd i).
func seedStock(t *testing.T, db *persistence.DB, n int) (warehouse int64) {
	t.Helper()
	ctx := context.Background()
	g := db.Gorm(ctx)
	now := time.Now().UTC()
	require.NoError(t, g.Exec("INSERT INTO warehouses (label, description, created_at, updated_at) VALUES (?, '', ?, ?)", "Main", now, now).Error)
	require.NoError(t, g.Raw("SELECT id FROM warehouses WHERE label = ?", "Main").Scan(&warehouse).Error)
	for i := 1; i <= n; i++ {
		var id int64
		require.NoError(t, g.Exec("INSERT INTO products (ref, label, description, average_cost, created_at, updated_at) VALUES (?, ?, '', ?, ?, ?)",
			fmt.Sprintf("P%03d", i), fmt.Sprintf("Product %d", i), domain.MustDecimal("1.005"), now, now).Error)
		require.NoError(t, g.Raw("SELECT id FROM products WHERE ref = ?", fmt.Sprintf("P%03d", i)).Scan(&id).Error)
		require.NoError(t, g.Exec("INSERT INTO product_stock (product_id, warehouse_id, quantity, updated_at) VALUES (?, ?, ?, ?)",
			id, warehouse, domain.DecimalFromInt(int64(i)), now).Error)
	}
	return warehouse
}

func stockQuery(warehouse int64) reports.Query {
	def, _ := reports.Lookup(reports.StockValuation)
	return reports.Query{Report: reports.StockValuation, Columns: def.Columns, Args: map[string]any{"warehouse_id": warehouse}}
}

// TestReportRowsStreamAndReleaseTheCursor: the rows come typed and exact;
// stopping the loop early closes the cursor and gives the connection back
// to the pool; a cancelled context is yielded as one error.
func TestReportRowsStreamAndReleaseTheCursor(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *persistence.DB) {
		ctx := context.Background()
		wh := seedStock(t, db, 30)
		repo, err := persistence.NewReportRepo(db, reports.All())
		require.NoError(t, err)

		var n int
		for row, err := range repo.Rows(ctx, stockQuery(0)) {
			require.NoError(t, err)
			n++
			require.Equal(t, wh, row[3])
			require.Equal(t, "Main", row[4])
			require.Equal(t, fmt.Sprintf("P%03d", n), row[1])
			qty := domain.DecimalFromInt(int64(n))
			require.True(t, qty.Equal(row[5].(domain.Decimal)), "quantity %v", row[5])
			want := qty.Mul(domain.MustDecimal("1.005")).Round(2)
			require.True(t, want.Equal(row[7].(domain.Decimal)), "row %d: value %v, want %v", n, row[7], want)
		}
		require.Equal(t, 30, n)

		n = 0
		for _, err := range repo.Rows(ctx, stockQuery(wh)) {
			require.NoError(t, err)
			if n++; n == 3 {
				require.Equal(t, 1, db.SQL().Stats().InUse, "the cursor holds its connection while rows are read")
				break
			}
		}
		require.Equal(t, 0, db.SQL().Stats().InUse, "stopping early closed the cursor")

		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		var errs int
		for row, err := range repo.Rows(cancelled, stockQuery(0)) {
			require.Nil(t, row)
			require.ErrorIs(t, err, context.Canceled)
			errs++
		}
		require.Equal(t, 1, errs)
		require.Equal(t, 0, db.SQL().Stats().InUse)
	})
}

// TestReportPlansUseTheReportIndexes runs EXPLAIN on the turnover and aging
// queries over 30,000 invoices (five years, one in fifty still open) on
// PostgreSQL and checks the planner picks the covering partial indexes of
// migration 000007. bench/reports does the same at 1 million lines.
func TestReportPlansUseTheReportIndexes(t *testing.T) {
	db := testdb.New(t, "postgres")
	ctx := context.Background()
	for _, stmt := range []string{
		`INSERT INTO thirdparties (name, is_customer, created_at, updated_at)
		 SELECT 'Customer ' || g, true, now(), now() FROM generate_series(1, 300) g`,
		`INSERT INTO invoices (ref, customer_id, status, doc_date, due_date, type, total_excl_tax, total_vat, total_incl_tax, paid, created_at, updated_at)
		 SELECT 'FA' || g, (SELECT min(id) FROM thirdparties) + g % 300, CASE WHEN g % 50 = 0 THEN 1 ELSE 2 END,
		        date '2021-01-01' + g % 1826, date '2021-01-31' + g % 1826, 0, 100, 20, 120,
		        CASE WHEN g % 50 = 0 THEN 0 ELSE 120 END, now(), now()
		 FROM generate_series(1, 30000) g`,
		`VACUUM ANALYZE invoices`,
		`ANALYZE thirdparties`,
	} {
		_, err := db.SQL().ExecContext(ctx, stmt)
		require.NoError(t, err)
	}
	repo, err := persistence.NewReportRepo(db, reports.All())
	require.NoError(t, err)
	svc := reports.New(repo, func() time.Time { return time.Date(2025, 12, 31, 12, 0, 0, 0, time.UTC) })
	plan := func(name reports.Name, p reports.Params) string {
		q, _, err := svc.Query(name, p)
		require.NoError(t, err)
		plan, err := repo.Explain(ctx, q, false)
		require.NoError(t, err)
		return plan
	}
	turnover := plan(reports.Turnover, reports.Params{From: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC)})
	require.Contains(t, turnover, "Index Only Scan using invoices_turnover on invoices", turnover)
	aging := plan(reports.Aging, reports.Params{})
	require.Contains(t, aging, "Index Only Scan using invoices_open on invoices", aging)
	t.Logf("turnover:\n%s\naging:\n%s", turnover, aging)
}
