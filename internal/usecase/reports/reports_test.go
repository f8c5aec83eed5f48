package reports_test

import (
	"context"
	"errors"
	"iter"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/reports"
)

// fakeSource records the query it was given and yields rows, counting how
// many the consumer pulled and whether the iteration was closed.
type fakeSource struct {
	q      reports.Query
	rows   []reports.Row
	err    error // yielded after the rows
	pulled int
	closed bool
}

func (f *fakeSource) Rows(_ context.Context, q reports.Query) iter.Seq2[reports.Row, error] {
	f.q = q
	return func(yield func(reports.Row, error) bool) {
		defer func() { f.closed = true }()
		for _, r := range f.rows {
			f.pulled++
			if !yield(r, nil) {
				return
			}
		}
		if f.err != nil {
			yield(nil, f.err)
		}
	}
}

var today = time.Date(2026, 11, 30, 15, 4, 5, 0, time.UTC)

func date(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func dec(s string) domain.Decimal { return domain.MustDecimal(s) }

func run(t *testing.T, src reports.Source, name reports.Name, p reports.Params) (*reports.Result, error) {
	t.Helper()
	return reports.New(src, func() time.Time { return today }).Run(context.Background(), name, p)
}

// drain reads every row of res, failing on an error.
func drain(t *testing.T, res *reports.Result) {
	t.Helper()
	for _, err := range res.Rows() {
		require.NoError(t, err)
	}
}

func fieldCodes(t *testing.T, err error) map[string]string {
	t.Helper()
	var v *domain.ValidationError
	require.ErrorAs(t, err, &v)
	out := map[string]string{}
	for _, f := range v.Fields {
		out[f.Field] = f.Code
	}
	return out
}

func TestDefaultsAndBinding(t *testing.T) {
	src := &fakeSource{}
	res, err := run(t, src, reports.Turnover, reports.Params{})
	require.NoError(t, err)
	require.Equal(t, date("2026-01-01"), res.Params.From, "from defaults to the first day of to's year")
	require.Equal(t, date("2026-11-30"), res.Params.To, "to defaults to today's date")
	require.Equal(t, reports.GrainMonth, res.Params.GroupBy)
	drain(t, res)
	require.Equal(t, map[string]any{"from": "2026-01-01", "to_excl": "2026-12-01", "group_by": "month",
		"customer_id": int64(0), "per_customer": int64(0)}, src.q.Args, "the range is bound half-open")

	res, err = run(t, src, reports.Aging, reports.Params{CustomerID: 7})
	require.NoError(t, err)
	require.Equal(t, date("2026-11-30"), res.Params.AsOf)
	drain(t, res)
	require.Equal(t, map[string]any{"as_of": "2026-11-30", "customer_id": int64(7)}, src.q.Args)

	res, err = run(t, src, reports.TopProducts, reports.Params{To: date("2025-06-30")})
	require.NoError(t, err)
	require.Equal(t, date("2025-01-01"), res.Params.From)
	require.Equal(t, reports.DefaultLimit, res.Params.Limit)
}

func TestEveryDefinitionBindsItsOwnParameters(t *testing.T) {
	for _, def := range reports.All() {
		src := &fakeSource{}
		res, err := run(t, src, def.Name, reports.Params{})
		require.NoError(t, err, def.Name)
		drain(t, res)
		keys := make([]string, 0, len(src.q.Args))
		for k := range src.q.Args {
			keys = append(keys, k)
		}
		require.ElementsMatch(t, def.ArgNames(), keys, def.Name)
		require.Equal(t, def.Columns, src.q.Columns, "the source scans every SQL column")
	}
}

func TestInvalidParametersAreAllReported(t *testing.T) {
	_, err := run(t, &fakeSource{}, reports.Turnover, reports.Params{From: date("2026-05-01"), To: date("2026-04-30"), GroupBy: "week", CustomerID: -1})
	require.Equal(t, map[string]string{"from": "after_to", "group_by": "invalid", "customer_id": "invalid"}, fieldCodes(t, err))
	require.ErrorIs(t, err, domain.ErrInvalid)

	_, err = run(t, &fakeSource{}, reports.VAT, reports.Params{From: date("2010-01-01"), To: date("2020-01-02")})
	require.Equal(t, map[string]string{"to": "range_too_long"}, fieldCodes(t, err))
	_, err = run(t, &fakeSource{}, reports.VAT, reports.Params{From: date("2010-01-01"), To: date("2020-01-01")})
	require.NoError(t, err, "exactly ten years is allowed")

	_, err = run(t, &fakeSource{}, reports.TopCustomers, reports.Params{From: date("1899-12-31"), To: date("3000-01-01"), Limit: reports.MaxLimit + 1})
	require.Equal(t, map[string]string{"from": "out_of_range", "to": "out_of_range", "limit": "out_of_range"}, fieldCodes(t, err))

	_, err = run(t, &fakeSource{}, reports.Aging, reports.Params{AsOf: date("1800-01-01")})
	require.Equal(t, map[string]string{"as_of": "out_of_range"}, fieldCodes(t, err))

	_, err = run(t, &fakeSource{}, reports.StockValuation, reports.Params{WarehouseID: -3})
	require.Equal(t, map[string]string{"warehouse_id": "invalid"}, fieldCodes(t, err))

	_, err = run(t, &fakeSource{}, "margins", reports.Params{})
	require.ErrorIs(t, err, domain.ErrNotFound)
}

func TestTurnoverHidesCustomerColumnsUnlessSplit(t *testing.T) {
	full := reports.Row{"2026-01", int64(4), "ACME", int64(2), int64(1), dec("10"), dec("2"), dec("12")}
	src := &fakeSource{rows: []reports.Row{full}}
	res, err := run(t, src, reports.Turnover, reports.Params{})
	require.NoError(t, err)
	names := func(cols []reports.Column) (out []string) {
		for _, c := range cols {
			out = append(out, c.Name)
		}
		return out
	}
	require.Equal(t, []string{"period", "invoices", "credit_notes", "amount_excl_tax", "amount_vat", "amount_incl_tax"}, names(res.Columns))
	for row, err := range res.Rows() {
		require.NoError(t, err)
		require.Equal(t, reports.Row{"2026-01", int64(2), int64(1), dec("10"), dec("2"), dec("12")}, row)
	}

	src = &fakeSource{rows: []reports.Row{full}}
	res, err = run(t, src, reports.Turnover, reports.Params{PerCustomer: true})
	require.NoError(t, err)
	require.Len(t, res.Columns, 8)
	for row, err := range res.Rows() {
		require.NoError(t, err)
		require.Equal(t, full, row)
	}
	require.Equal(t, int64(1), src.q.Args["per_customer"])
}

func TestTotalsAddUpTheSummedColumns(t *testing.T) {
	src := &fakeSource{rows: []reports.Row{
		{int64(1), "A", int64(2), dec("10.10"), dec("0"), dec("0"), dec("0"), dec("1"), dec("11.10")},
		{int64(2), "B", int64(1), dec("0"), dec("-5.05"), dec("0"), dec("0"), dec("0"), dec("-5.05")},
		{int64(3), "C", int64(4), dec("0.005"), dec("0"), dec("3"), dec("0"), dec("0"), dec("3.005")},
	}}
	res, err := run(t, src, reports.Aging, reports.Params{})
	require.NoError(t, err)
	require.True(t, res.HasTotals())
	for _, err := range res.Rows() {
		require.NoError(t, err)
	}
	require.Equal(t, int64(3), res.Count())
	tot := res.Totals()
	require.Nil(t, tot[0])
	require.Nil(t, tot[1])
	require.Equal(t, int64(7), tot[2])
	for i, want := range []string{"10.105", "-5.05", "3", "0", "1", "9.055"} {
		require.True(t, dec(want).Equal(tot[3+i].(domain.Decimal)), "column %s: %v", res.Columns[3+i].Name, tot[3+i])
	}
}

func TestStoppingEarlyStopsTheSource(t *testing.T) {
	src := &fakeSource{rows: []reports.Row{
		{int64(1), "P1", "One", int64(1), "W", dec("1"), dec("1"), dec("1")},
		{int64(2), "P2", "Two", int64(1), "W", dec("1"), dec("1"), dec("1")},
		{int64(3), "P3", "Three", int64(1), "W", dec("1"), dec("1"), dec("1")},
	}}
	res, err := run(t, src, reports.StockValuation, reports.Params{})
	require.NoError(t, err)
	require.Zero(t, src.pulled, "nothing is read before the rows are ranged over")
	for _, err := range res.Rows() {
		require.NoError(t, err)
		break
	}
	require.Equal(t, 1, src.pulled)
	require.True(t, src.closed)

	for row, err := range res.Rows() {
		require.Nil(t, row)
		require.ErrorContains(t, err, "already read")
	}
}

func TestSourceErrorsPassThrough(t *testing.T) {
	boom := errors.New("connection lost")
	src := &fakeSource{rows: []reports.Row{{"2026", dec("20"), dec("1"), dec("0.2"), dec("1.2")}}, err: boom}
	res, err := run(t, src, reports.VAT, reports.Params{GroupBy: reports.GrainYear})
	require.NoError(t, err)
	var rows, errs int
	for _, err := range res.Rows() {
		if err != nil {
			require.ErrorIs(t, err, boom)
			errs++
			continue
		}
		rows++
	}
	require.Equal(t, 1, rows)
	require.Equal(t, 1, errs)
}
