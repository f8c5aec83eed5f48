package domain

import (
	"fmt"
	"slices"
)

// RoundingMode says how a document's totals are derived from its lines;
// the two modes are Dolibarr's (MAIN_ROUNDOFTOTAL_NOT_TOTALOFROUND).
type RoundingMode int

// Rounding modes.
const (
	// RoundPerLine sums the lines' rounded totals: the VAT of a document is
	// the sum of the lines' VAT ("total of rounding", Dolibarr's default).
	RoundPerLine RoundingMode = 0
	// RoundOfSum sums each VAT rate's base excl. tax and rounds the VAT of
	// that sum once ("rounding of total").
	RoundOfSum RoundingMode = 1
)

// ParseRoundingMode reads the API and configuration name of a mode.
func ParseRoundingMode(s string) (RoundingMode, bool) {
	switch s {
	case "sum_of_rounded_lines":
		return RoundPerLine, true
	case "round_of_sum":
		return RoundOfSum, true
	}
	return 0, false
}

func (m RoundingMode) String() string {
	if m == RoundOfSum {
		return "round_of_sum"
	}
	return "sum_of_rounded_lines"
}

// MaxLines bounds the lines of one document: a document is printed, mailed
// and loaded whole.
const MaxLines = 1000

// Line is one line of a proposal, order or invoice: the one line engine the
// three documents share. Amounts are signed: a discount line or a credit
// note line has a negative unit price; the quantity is always positive.
type Line struct {
	ID       int64
	Position int
	// ProductID is the catalogue product sold, 0 for a free-text line.
	ProductID int64
	// ProductType is the product's type when the line was written: only
	// goods lines move stock.
	ProductType ProductType
	Description string
	Quantity    Decimal
	// UnitPrice excludes VAT and keeps up to ScaleStored digits.
	UnitPrice       Decimal
	DiscountPercent Decimal
	VATRate         Decimal // percent
	// Totals, computed by Compute.
	TotalExclTax Decimal
	TotalVAT     Decimal
	TotalInclTax Decimal
}

// onePercent is 0.01: dividing by 100 as an exact multiplication.
var onePercent = NewDecimal(1, -2)

// Compute sets the line's totals the way Dolibarr's calcul_price_total does
// for a price excluding tax: base = quantity × unit price × (1 − discount);
// the total excl. tax and the total incl. tax are each rounded half away
// from zero to scale, and the VAT is their difference, so that excl. + VAT
// = incl. always holds exactly on every line.
func (l *Line) Compute(scale int32) {
	base := l.Quantity.Mul(l.UnitPrice)
	if !l.DiscountPercent.IsZero() {
		base = base.Mul(hundred.Sub(l.DiscountPercent)).Mul(onePercent)
	}
	l.TotalExclTax = base.Round(scale)
	l.TotalInclTax = base.Mul(hundred.Add(l.VATRate)).Mul(onePercent).Round(scale)
	l.TotalVAT = l.TotalInclTax.Sub(l.TotalExclTax)
}

// Check reports every broken invariant of the line's inputs under field
// names prefixed by prefix (for example "lines[2].").
func (l *Line) Check(v *ValidationError, prefix string) {
	if l.ProductID < 0 {
		v.Add(prefix+"product_id", "invalid", "must be a positive id")
	}
	checkText(v, prefix+"description", l.Description, MaxDescriptionLen, l.ProductID == 0)
	switch {
	case !l.Quantity.IsPositive():
		v.Add(prefix+"quantity", "not_positive", "must be greater than zero")
	case l.Quantity.Scale() > ScaleQty:
		v.Add(prefix+"quantity", "too_precise", "must have at most %d digits after the point", ScaleQty)
	case l.Quantity.IntegerDigits() > 9:
		v.Add(prefix+"quantity", "out_of_range", "must be less than 1000000000")
	}
	switch {
	case l.UnitPrice.Scale() > ScaleStored:
		v.Add(prefix+"unit_price", "too_precise", "must have at most %d digits after the point", ScaleStored)
	case l.UnitPrice.IntegerDigits() > 12:
		v.Add(prefix+"unit_price", "out_of_range", "must be less than 1000000000000 in absolute value")
	}
	checkRate(v, prefix+"discount_percent", l.DiscountPercent)
	checkRate(v, prefix+"vat_rate", l.VATRate)
}

// VATAmount is one row of a document's VAT breakdown: the base excl. tax
// and the VAT of every line at one rate.
type VATAmount struct {
	Rate   Decimal
	Base   Decimal
	Amount Decimal
}

// Totals are a document's totals and its VAT breakdown by rate, rates in
// ascending order.
type Totals struct {
	ExclTax Decimal
	VAT     Decimal
	InclTax Decimal
	ByRate  []VATAmount
}

// ComputeTotals derives a document's totals from lines whose own totals are
// already computed. In RoundPerLine mode the VAT of a rate is the sum of
// its lines' VAT; in RoundOfSum mode it is the base of the rate times the
// rate, rounded once to scale. Either way the document's VAT is the sum of
// the breakdown and incl. tax = excl. tax + VAT.
func ComputeTotals(lines []Line, mode RoundingMode, scale int32) Totals {
	byRate := map[string]*VATAmount{}
	var order []*VATAmount
	for i := range lines {
		l := &lines[i]
		key := l.VATRate.String()
		a, ok := byRate[key]
		if !ok {
			a = &VATAmount{Rate: l.VATRate}
			byRate[key] = a
			order = append(order, a)
		}
		a.Base = a.Base.Add(l.TotalExclTax)
		a.Amount = a.Amount.Add(l.TotalVAT)
	}
	slices.SortFunc(order, func(a, b *VATAmount) int { return a.Rate.Cmp(b.Rate) })
	var t Totals
	t.ByRate = make([]VATAmount, 0, len(order))
	for _, a := range order {
		if mode == RoundOfSum {
			a.Amount = a.Base.Mul(a.Rate).Mul(onePercent).Round(scale)
		}
		t.ExclTax = t.ExclTax.Add(a.Base)
		t.VAT = t.VAT.Add(a.Amount)
		t.ByRate = append(t.ByRate, *a)
	}
	t.InclTax = t.ExclTax.Add(t.VAT)
	return t
}

// checkTotalsRange refuses totals that would not fit a NUMERIC(24,8)
// column once summed with others.
func checkTotalsRange(v *ValidationError, field string, amounts ...Decimal) {
	for _, a := range amounts {
		if a.IntegerDigits() > MaxIntegerDigits-1 {
			v.Add(field, "out_of_range", "amount %s is too large", a)
			return
		}
	}
}

// lineField is the field prefix of line i in a request ("lines[2].").
func lineField(i int) string { return fmt.Sprintf("lines[%d].", i) }
