package persistence

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"path"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/reports"
)

// reportSQL holds one query per report and dialect:
// reports/<dialect>/<report>.sql. GORM stays out of the reports: they are
// aggregates the ORM cannot express portably, and they must stream.
//
//go:embed reports/postgres/*.sql reports/mysql/*.sql reports/sqlite/*.sql
var reportSQL embed.FS

// ReportDialects are the dialects every report must be written for.
var ReportDialects = []string{"postgres", "mysql", "sqlite"}

// ReportRepo runs the reports' SQL for the database's dialect and streams
// the rows from the cursor.
type ReportRepo struct {
	db      *DB
	queries map[reports.Name]namedSQL
}

var _ reports.Source = (*ReportRepo)(nil)

// NewReportRepo loads the SQL of every report in defs for db's dialect. It
// fails when a report has no SQL for it, or when the SQL's parameters are
// not exactly the ones the definition binds, so a missing or stale query
// stops the server at start-up rather than failing a request.
func NewReportRepo(db *DB, defs []*reports.Definition) (*ReportRepo, error) {
	queries, err := loadReportSQL(reportSQL, db.Dialect().Name(), defs)
	if err != nil {
		return nil, err
	}
	return &ReportRepo{db: db, queries: queries}, nil
}

// CheckReportSQL checks that fsys (laid out as reports/<dialect>/<name>.sql)
// holds every report of defs in every dialect, with the parameters each
// definition binds, and no query without a definition. The error lists
// every problem found.
func CheckReportSQL(fsys fs.FS, defs []*reports.Definition) error {
	var problems []string
	for _, dialect := range ReportDialects {
		if _, err := loadReportSQL(fsys, dialect, defs); err != nil {
			problems = append(problems, err.Error())
		}
		files, err := fs.Glob(fsys, path.Join("reports", dialect, "*.sql"))
		if err != nil {
			return err
		}
		for _, f := range files {
			name := reports.Name(strings.TrimSuffix(path.Base(f), ".sql"))
			if _, ok := reports.Lookup(name); !ok {
				problems = append(problems, fmt.Sprintf("%s: no report definition named %q", f, name))
			}
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// ReportFiles returns the embedded report SQL, for CheckReportSQL.
func ReportFiles() fs.FS { return reportSQL }

func loadReportSQL(fsys fs.FS, dialect string, defs []*reports.Definition) (map[reports.Name]namedSQL, error) {
	out := map[reports.Name]namedSQL{}
	var problems []string
	for _, d := range defs {
		file := path.Join("reports", dialect, string(d.Name)+".sql")
		src, err := fs.ReadFile(fsys, file)
		if err != nil {
			problems = append(problems, fmt.Sprintf("report %s has no %s query (%s)", d.Name, dialect, file))
			continue
		}
		q, err := compileNamed(dialect, string(src))
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", file, err))
			continue
		}
		want := d.ArgNames()
		got := slices.Sorted(func(yield func(string) bool) {
			for n := range q.names {
				if !yield(n) {
					return
				}
			}
		})
		if !slices.Equal(got, want) {
			problems = append(problems, fmt.Sprintf("%s uses parameters %v, the definition binds %v", file, got, want))
			continue
		}
		out[d.Name] = q
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "; "))
	}
	return out, nil
}

// Rows runs q's report and yields its rows as the cursor reads them: the
// result is never held whole. The cursor (and its connection) is released
// when the loop ends, also when the consumer stops early; an error is
// yielded once, last.
func (r *ReportRepo) Rows(ctx context.Context, q reports.Query) iter.Seq2[reports.Row, error] {
	return func(yield func(reports.Row, error) bool) {
		rows, err := r.query(ctx, q, "")
		if err != nil {
			yield(nil, err)
			return
		}
		defer rows.Close()
		if err := checkColumns(rows, q); err != nil {
			yield(nil, err)
			return
		}
		dest := make([]any, len(q.Columns))
		for i, c := range q.Columns {
			switch c.Type {
			case reports.ColText:
				dest[i] = new(sql.NullString)
			case reports.ColInt:
				dest[i] = new(sql.NullInt64)
			default:
				dest[i] = new(nullDecimal)
			}
		}
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				yield(nil, fmt.Errorf("report %s: %w", q.Report, err))
				return
			}
			// A fresh row each time: the consumer may keep it.
			row := make(reports.Row, len(dest))
			for i, d := range dest {
				switch v := d.(type) {
				case *sql.NullString:
					if v.Valid {
						row[i] = v.String
					}
				case *sql.NullInt64:
					if v.Valid {
						row[i] = v.Int64
					}
				case *nullDecimal:
					if v.Valid {
						row[i] = v.Decimal
					}
				}
			}
			if !yield(row, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(nil, fmt.Errorf("report %s: %w", q.Report, err))
		}
	}
}

// Explain returns the database's plan for q, one line per plan row. With
// analyze, PostgreSQL runs the query (EXPLAIN (ANALYZE, BUFFERS)) and so
// does MySQL/MariaDB (ANALYZE); SQLite only ever shows its query plan.
func (r *ReportRepo) Explain(ctx context.Context, q reports.Query, analyze bool) (string, error) {
	rows, err := r.query(ctx, q, r.db.Dialect().Explain(analyze))
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		for i, v := range vals {
			if i > 0 {
				b.WriteString(" | ")
			}
			b.WriteString(v.String)
		}
		b.WriteByte('\n')
	}
	return b.String(), rows.Err()
}

func (r *ReportRepo) query(ctx context.Context, q reports.Query, prefix string) (*sql.Rows, error) {
	stmt, ok := r.queries[q.Report]
	if !ok {
		return nil, domain.E(domain.ErrNotFound, "report_not_found", "no report named %q", q.Report)
	}
	args, err := stmt.bindArgs(q.Args)
	if err != nil {
		return nil, fmt.Errorf("report %s: %w", q.Report, err)
	}
	if r.db.Dialect().CachedPlans() {
		// Plan every run with its own values (an unnamed statement), not
		// as pgx's cached prepared statement: a report runs seldom and with
		// very different values, and from its sixth run a cached statement
		// may get a generic plan (plan_cache_mode auto), which can neither
		// drop an unused "$n = 0 OR customer_id = $n" filter nor size the
		// date range.
		args = append([]any{pgx.QueryExecModeExec}, args...)
	}
	// The pool, not a transaction: a report reads committed data and must
	// not hold a writer's transaction (SQLite's single writer) open while
	// a client downloads it.
	rows, err := r.db.SQL().QueryContext(ctx, prefix+stmt.text, args...)
	if err != nil {
		return nil, fmt.Errorf("report %s: %w", q.Report, err)
	}
	return rows, nil
}

func checkColumns(rows *sql.Rows, q reports.Query) error {
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	want := make([]string, len(q.Columns))
	for i, c := range q.Columns {
		want[i] = c.Name
	}
	if !slices.Equal(cols, want) {
		return fmt.Errorf("report %s returns columns %v, its definition has %v", q.Report, cols, want)
	}
	return nil
}

// nullDecimal scans a nullable NUMERIC (or, on SQLite, the decimal text
// the report functions return) into a domain.Decimal.
type nullDecimal struct {
	Decimal domain.Decimal
	Valid   bool
}

func (n *nullDecimal) Scan(src any) error {
	if src == nil {
		n.Decimal, n.Valid = domain.Zero, false
		return nil
	}
	n.Valid = true
	return n.Decimal.Scan(src)
}
