package reports

import (
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// Grain is the length of a report period.
type Grain string

// Grains.
const (
	GrainDay   Grain = "day"
	GrainMonth Grain = "month"
	GrainYear  Grain = "year"
)

// Bounds on report parameters.
const (
	// MaxSpanYears bounds a date range: ten years of daily turnover per
	// customer is already a large export, and a typo such as 20026 stays a
	// clear error rather than a scan of everything.
	MaxSpanYears = 10
	// DefaultLimit is the length of a top list when none is asked for.
	DefaultLimit = 10
	// MaxLimit bounds a top list.
	MaxLimit = 10000
)

// Dates a report accepts: wide enough for any real ledger, narrow enough
// for every engine's DATE type (MySQL stops at 9999) and for the day after
// the end of a range.
var (
	minDate = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	maxDate = time.Date(2999, 12, 31, 0, 0, 0, 0, time.UTC)
)

// Params are the parameters of any report; each report reads the ones its
// definition lists and ignores the others. Zero values mean "not given":
// Run fills the defaults. Dates are calendar dates at midnight UTC.
type Params struct {
	// From and To bound the documents' date, both included. To defaults
	// to today and From to the first day of To's year.
	From, To time.Time
	// GroupBy is the period of turnover and VAT rows; month by default.
	GroupBy Grain
	// CustomerID, when not 0, restricts turnover or aging to a customer.
	CustomerID int64
	// PerCustomer splits turnover by customer.
	PerCustomer bool
	// AsOf is the date aging counts days past due at; today by default.
	AsOf time.Time
	// Limit is the length of a top list (DefaultLimit by default).
	Limit int
	// WarehouseID, when not 0, restricts stock valuation to a warehouse.
	WarehouseID int64
	// SupplierID, when not 0, restricts payables aging to a supplier.
	SupplierID int64
}

func (p *Params) dateRange(today time.Time, v *domain.ValidationError) {
	if p.To.IsZero() {
		p.To = today
	}
	if p.From.IsZero() {
		p.From = time.Date(p.To.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	}
	okFrom, okTo := checkDate(v, "from", p.From), checkDate(v, "to", p.To)
	switch {
	case !okFrom || !okTo:
	case p.From.After(p.To):
		v.Add("from", "after_to", "must not be after to (%s)", p.To.Format(time.DateOnly))
	case p.To.After(p.From.AddDate(MaxSpanYears, 0, 0)):
		v.Add("to", "range_too_long", "a report covers at most %d years; from is %s", MaxSpanYears, p.From.Format(time.DateOnly))
	}
}

func (p *Params) grain(v *domain.ValidationError) {
	switch p.GroupBy {
	case "":
		p.GroupBy = GrainMonth
	case GrainDay, GrainMonth, GrainYear:
	default:
		v.Add("group_by", "invalid", "must be day, month or year")
	}
}

func (p *Params) customer(v *domain.ValidationError) {
	if p.CustomerID < 0 {
		v.Add("customer_id", "invalid", "must be a positive id")
	}
}

func (p *Params) limit(v *domain.ValidationError) {
	switch {
	case p.Limit == 0:
		p.Limit = DefaultLimit
	case p.Limit < 1 || p.Limit > MaxLimit:
		v.Add("limit", "out_of_range", "must be from 1 to %d", MaxLimit)
	}
}

// rangeArgs binds the date range as a half-open interval [from, to_excl):
// every dialect compares its date column with it without a function on the
// column, so the range can use an index.
func (p Params) rangeArgs() map[string]any {
	return map[string]any{"from": dateArg(p.From), "to_excl": dateArg(p.To.AddDate(0, 0, 1))}
}

func checkDate(v *domain.ValidationError, field string, d time.Time) bool {
	if d.Before(minDate) || d.After(maxDate) {
		v.Add(field, "out_of_range", "must be from %s to %s", minDate.Format(time.DateOnly), maxDate.Format(time.DateOnly))
		return false
	}
	return true
}

// dateArg is a date as every dialect's SQL takes it: "YYYY-MM-DD" text
// (PostgreSQL and MySQL cast it to DATE; SQLite compares it with the
// stored text, whose first ten characters are that date).
func dateArg(d time.Time) string { return d.Format(time.DateOnly) }

func boolArg(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
