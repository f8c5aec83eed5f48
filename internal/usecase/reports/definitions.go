package reports

import (
	"maps"
	"slices"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// Name names a report; it is also the base name of the report's SQL file
// in every dialect (turnover.sql, ...).
type Name string

// The reports.
const (
	// Turnover is what was invoiced, excl. and incl. tax, per day, month
	// or year of the invoice date over a date range, optionally per
	// customer. Validated and paid invoices count, credit notes (whose
	// totals are negative) subtract; drafts and abandoned invoices do not
	// count.
	Turnover Name = "turnover"
	// Aging lists what customers still owe on open invoices (validated,
	// not fully paid, dated on or before the as-of date) in buckets of
	// days past the due date at that date: not due, 1-30, 31-60, 61-90
	// and over 90. The amounts are what is left to pay now (total incl.
	// tax minus the payments recorded); an unrefunded credit note counts
	// negative.
	Aging Name = "aging"
	// VAT sums, per period and VAT rate, the base excl. tax and the VAT of
	// the validated and paid invoices and credit notes dated in the range
	// (VAT on debits: by invoice date, not by payment). Each document's VAT
	// of a rate follows its rounding mode, exactly as its own breakdown.
	VAT Name = "vat"
	// TopCustomers ranks customers by amount invoiced excl. tax, net of
	// credit notes, over a date range.
	TopCustomers Name = "top_customers"
	// TopProducts ranks products by amount invoiced excl. tax, net of
	// credit notes, over a date range; free-text lines are left out.
	TopProducts Name = "top_products"
	// StockValuation values every non-zero stock row (product and
	// warehouse) at the product's weighted average cost.
	StockValuation Name = "stock_valuation"
	// PayablesAging lists what is still owed to suppliers on open supplier
	// invoices (validated, not fully paid, dated on or before the as-of
	// date), in the receivables aging's buckets of days past due.
	PayablesAging Name = "payables_aging"
	// PurchasesBySupplier ranks suppliers by amount invoiced to us excl.
	// tax, net of their credit notes, over a date range: validated and
	// paid supplier invoices.
	PurchasesBySupplier Name = "purchases_by_supplier"
)

// ColumnType is the type of a report column's values.
type ColumnType int

// Column types.
const (
	ColText    ColumnType = iota // string
	ColInt                       // int64
	ColDecimal                   // domain.Decimal
)

// Column describes one column of a report.
type Column struct {
	Name string
	Type ColumnType
	// MinScale is, for a decimal, the least number of digits shown after
	// the point: 2 for amounts ("12.50"), 0 for quantities and rates
	// shown as they are ("12.5", "20").
	MinScale int32
	// Sum marks a column added up into the report's totals.
	Sum bool
}

// Definition is a report: its columns in the order its SQL returns them,
// the parameters it takes, and how they are checked and bound.
type Definition struct {
	Name  Name
	Title string
	// Columns are the columns of the SQL query, in its order.
	Columns []Column
	// Params are the parameters the report takes, as the API names them.
	Params []string
	// normalize checks p and fills its defaults (today is the current
	// date), recording every problem in v.
	normalize func(p *Params, today time.Time, v *domain.ValidationError)
	// args binds p to the SQL query's named parameters; it sets every
	// parameter whatever p holds.
	args func(p Params) map[string]any
	// hidden, when set, leaves columns out of the result for p.
	hidden func(p Params, column string) bool
}

// ArgNames returns the named parameters the report's SQL must use, sorted.
func (d *Definition) ArgNames() []string {
	return slices.Sorted(maps.Keys(d.args(Params{})))
}

func text(name string) Column    { return Column{Name: name, Type: ColText} }
func integer(name string) Column { return Column{Name: name, Type: ColInt} }
func count(name string) Column   { return Column{Name: name, Type: ColInt, Sum: true} }
func amount(name string) Column {
	return Column{Name: name, Type: ColDecimal, MinScale: domain.ScaleTotal, Sum: true}
}
func decimal(name string, minScale int32) Column {
	return Column{Name: name, Type: ColDecimal, MinScale: minScale}
}

var definitions = []*Definition{
	{
		Name:  Turnover,
		Title: "Turnover",
		Columns: []Column{
			text("period"), integer("customer_id"), text("customer_name"),
			count("invoices"), count("credit_notes"),
			amount("amount_excl_tax"), amount("amount_vat"), amount("amount_incl_tax"),
		},
		Params: []string{"from", "to", "group_by", "customer_id", "per_customer"},
		normalize: func(p *Params, today time.Time, v *domain.ValidationError) {
			p.dateRange(today, v)
			p.grain(v)
			p.customer(v)
		},
		args: func(p Params) map[string]any {
			a := p.rangeArgs()
			a["group_by"] = string(p.GroupBy)
			a["customer_id"] = p.CustomerID
			a["per_customer"] = boolArg(p.PerCustomer)
			return a
		},
		hidden: func(p Params, column string) bool {
			return !p.PerCustomer && (column == "customer_id" || column == "customer_name")
		},
	},
	{
		Name:  Aging,
		Title: "Receivables aging",
		Columns: []Column{
			integer("customer_id"), text("customer_name"), count("invoices"),
			amount("not_due"), amount("days_1_30"), amount("days_31_60"), amount("days_61_90"), amount("days_over_90"),
			amount("total"),
		},
		Params: []string{"as_of", "customer_id"},
		normalize: func(p *Params, today time.Time, v *domain.ValidationError) {
			if p.AsOf.IsZero() {
				p.AsOf = today
			}
			checkDate(v, "as_of", p.AsOf)
			p.customer(v)
		},
		args: func(p Params) map[string]any {
			return map[string]any{"as_of": dateArg(p.AsOf), "customer_id": p.CustomerID}
		},
	},
	{
		Name:  VAT,
		Title: "VAT summary",
		Columns: []Column{
			text("period"), decimal("vat_rate", 0),
			amount("amount_excl_tax"), amount("amount_vat"), amount("amount_incl_tax"),
		},
		Params: []string{"from", "to", "group_by"},
		normalize: func(p *Params, today time.Time, v *domain.ValidationError) {
			p.dateRange(today, v)
			p.grain(v)
		},
		args: func(p Params) map[string]any {
			a := p.rangeArgs()
			a["group_by"] = string(p.GroupBy)
			return a
		},
	},
	{
		Name:  TopCustomers,
		Title: "Top customers",
		Columns: []Column{
			integer("customer_id"), text("customer_name"), count("invoices"), count("credit_notes"),
			amount("amount_excl_tax"), amount("amount_incl_tax"),
		},
		Params: []string{"from", "to", "limit"},
		normalize: func(p *Params, today time.Time, v *domain.ValidationError) {
			p.dateRange(today, v)
			p.limit(v)
		},
		args: func(p Params) map[string]any {
			a := p.rangeArgs()
			a["limit"] = int64(p.Limit)
			return a
		},
	},
	{
		Name:  TopProducts,
		Title: "Top products",
		Columns: []Column{
			integer("product_id"), text("product_ref"), text("product_label"),
			decimal("quantity", 0), amount("amount_excl_tax"),
		},
		Params: []string{"from", "to", "limit"},
		normalize: func(p *Params, today time.Time, v *domain.ValidationError) {
			p.dateRange(today, v)
			p.limit(v)
		},
		args: func(p Params) map[string]any {
			a := p.rangeArgs()
			a["limit"] = int64(p.Limit)
			return a
		},
	},
	{
		Name:  StockValuation,
		Title: "Stock valuation",
		Columns: []Column{
			integer("product_id"), text("product_ref"), text("product_label"),
			integer("warehouse_id"), text("warehouse_label"),
			decimal("quantity", 0), decimal("average_cost", domain.ScaleTotal), amount("value"),
		},
		Params: []string{"warehouse_id"},
		normalize: func(p *Params, _ time.Time, v *domain.ValidationError) {
			if p.WarehouseID < 0 {
				v.Add("warehouse_id", "invalid", "must be a positive id")
			}
		},
		args: func(p Params) map[string]any {
			return map[string]any{"warehouse_id": p.WarehouseID}
		},
	},
	{
		Name:  PayablesAging,
		Title: "Payables aging",
		Columns: []Column{
			integer("supplier_id"), text("supplier_name"), count("invoices"),
			amount("not_due"), amount("days_1_30"), amount("days_31_60"), amount("days_61_90"), amount("days_over_90"),
			amount("total"),
		},
		Params: []string{"as_of", "supplier_id"},
		normalize: func(p *Params, today time.Time, v *domain.ValidationError) {
			if p.AsOf.IsZero() {
				p.AsOf = today
			}
			checkDate(v, "as_of", p.AsOf)
			if p.SupplierID < 0 {
				v.Add("supplier_id", "invalid", "must be a positive id")
			}
		},
		args: func(p Params) map[string]any {
			return map[string]any{"as_of": dateArg(p.AsOf), "supplier_id": p.SupplierID}
		},
	},
	{
		Name:  PurchasesBySupplier,
		Title: "Purchases by supplier",
		Columns: []Column{
			integer("supplier_id"), text("supplier_name"), count("invoices"), count("credit_notes"),
			amount("amount_excl_tax"), amount("amount_incl_tax"),
		},
		Params: []string{"from", "to", "limit"},
		normalize: func(p *Params, today time.Time, v *domain.ValidationError) {
			p.dateRange(today, v)
			p.limit(v)
		},
		args: func(p Params) map[string]any {
			a := p.rangeArgs()
			a["limit"] = int64(p.Limit)
			return a
		},
	},
}

// All returns every report definition, in a stable order.
func All() []*Definition { return slices.Clone(definitions) }

// Lookup returns the definition of the report name.
func Lookup(name Name) (*Definition, bool) {
	for _, d := range definitions {
		if d.Name == name {
			return d, true
		}
	}
	return nil, false
}
