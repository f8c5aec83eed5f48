// Package reports defines the management reports (turnover, receivables
// aging, VAT summary, top customers, top products, stock valuation): their
// columns, their parameters and how those are validated and defaulted, and
// the totals added up while the rows stream past.
//
// The figures themselves are computed by one SQL query per report and per
// database dialect (internal/infrastructure/persistence/reports/), read
// through the small Source port as an iterator: a report is never loaded
// whole, so a caller can write it out row by row however long it is.
package reports

import (
	"context"
	"fmt"
	"iter"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// Row is one row of a report, one value per column in column order. A
// value is a string (ColText), an int64 (ColInt), a domain.Decimal
// (ColDecimal) or nil for SQL NULL.
type Row []any

// Query is what a Source runs: the report's SQL for the current dialect,
// its named parameters, and the columns its rows are scanned into.
type Query struct {
	Report  Name
	Columns []Column
	// Args holds one value per named parameter of the report's SQL: a
	// string (dates are "YYYY-MM-DD"), an int64 or a bool.
	Args map[string]any
}

// Source streams the rows of a report's query from the database. The
// iterator holds the database cursor open while it is consumed and closes
// it when the loop ends, also when the consumer stops early. An error
// (failed query, lost connection, cancelled context) is yielded once, as
// the last element.
type Source interface {
	Rows(ctx context.Context, q Query) iter.Seq2[Row, error]
}

// Service runs reports.
type Service struct {
	src Source
	now func() time.Time
}

// New returns the reports service. now is the clock that gives "today" to
// reports whose dates default to it.
func New(src Source, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{src: src, now: now}
}

// Run validates p for report name, fills its defaults and returns the
// report ready to stream. Nothing is read from the database until the
// result's rows are ranged over. Invalid parameters give a
// *domain.ValidationError listing every field at once; an unknown report
// gives ErrNotFound.
func (s *Service) Run(ctx context.Context, name Name, p Params) (*Result, error) {
	q, p, err := s.Query(name, p)
	if err != nil {
		return nil, err
	}
	def, _ := Lookup(name)
	res := &Result{Def: def, Params: p}
	for i, c := range def.Columns {
		if def.hidden == nil || !def.hidden(p, c.Name) {
			res.Columns = append(res.Columns, c)
			res.keep = append(res.keep, i)
		}
	}
	res.totals = make([]total, len(res.Columns))
	res.rows = s.src.Rows(ctx, q)
	return res, nil
}

// Query validates p for report name, fills its defaults and returns the
// query a Source runs, with p as completed: what Run streams, for callers
// that want the plan (EXPLAIN) rather than the rows.
func (s *Service) Query(name Name, p Params) (Query, Params, error) {
	def, ok := Lookup(name)
	if !ok {
		return Query{}, p, domain.E(domain.ErrNotFound, "report_not_found", "no report named %q", name)
	}
	v := &domain.ValidationError{}
	def.normalize(&p, domain.DateOnly(s.now()), v)
	if err := v.Err(); err != nil {
		return Query{}, p, err
	}
	return Query{Report: name, Columns: def.Columns, Args: def.args(p)}, p, nil
}

// Result is a validated report about to stream. Its rows can be ranged
// over once.
type Result struct {
	Def    *Definition
	Params Params // with every default filled in
	// Columns are the columns the rows carry: the definition's, minus
	// those the parameters leave out (the customer columns of a turnover
	// not split by customer).
	Columns []Column

	keep   []int // indices of Columns in the definition's columns
	rows   iter.Seq2[Row, error]
	used   bool
	count  int64
	totals []total
}

type total struct {
	dec domain.Decimal
	n   int64
}

// Rows streams the report's rows, restricted to Columns, adding up the
// summed columns as they pass. Stopping the loop early closes the cursor.
// A second call yields only an error.
func (r *Result) Rows() iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		if r.used {
			yield(nil, fmt.Errorf("reports: the rows of %s were already read", r.Def.Name))
			return
		}
		r.used = true
		for full, err := range r.rows {
			if err != nil {
				yield(nil, err)
				return
			}
			row := make(Row, len(r.keep))
			for j, i := range r.keep {
				row[j] = full[i]
				if r.Columns[j].Sum {
					r.totals[j].add(full[i])
				}
			}
			r.count++
			if !yield(row, nil) {
				return
			}
		}
	}
}

func (t *total) add(v any) {
	switch x := v.(type) {
	case domain.Decimal:
		t.dec = t.dec.Add(x)
	case int64:
		t.n += x
	}
}

// Count is the number of rows yielded so far.
func (r *Result) Count() int64 { return r.count }

// HasTotals reports whether any column is summed.
func (r *Result) HasTotals() bool {
	for _, c := range r.Columns {
		if c.Sum {
			return true
		}
	}
	return false
}

// Totals returns, once the rows have been read, a row holding the sum of
// every summed column (an int64 or a domain.Decimal) and nil elsewhere.
func (r *Result) Totals() Row {
	out := make(Row, len(r.Columns))
	for j, c := range r.Columns {
		if !c.Sum {
			continue
		}
		if c.Type == ColInt {
			out[j] = r.totals[j].n
		} else {
			out[j] = r.totals[j].dec
		}
	}
	return out
}
