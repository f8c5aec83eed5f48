package domain

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ProductType tells goods from services; the values are Dolibarr's.
type ProductType int

// Product types.
const (
	ProductGoods   ProductType = 0
	ProductService ProductType = 1
)

// ParseProductType reads the API name of a product type.
func ParseProductType(s string) (ProductType, bool) {
	switch s {
	case "product":
		return ProductGoods, true
	case "service":
		return ProductService, true
	}
	return 0, false
}

func (t ProductType) String() string {
	if t == ProductService {
		return "service"
	}
	return "product"
}

// PriceBase says whether the price a user typed excludes or includes VAT
// (Dolibarr's price_base_type HT / TTC). Both prices are always stored.
type PriceBase string

// Price bases.
const (
	PriceExclTax PriceBase = "excl_tax"
	PriceInclTax PriceBase = "incl_tax"
)

// Product is a product or service of the catalogue.
type Product struct {
	ID          int64
	Ref         string
	Label       string
	Description string
	Type        ProductType
	// Price and PriceInclTax are the selling prices excluding and including
	// VAT; PriceBase names the one that was typed, the other is derived.
	Price        Decimal
	PriceInclTax Decimal
	PriceBase    PriceBase
	VATRate      Decimal // percent, e.g. 20 or 5.5
	CostPrice    Decimal
	// AverageCost is the weighted average cost (Dolibarr's PMP), kept by
	// stock receipts that carry a unit price; never set by plain edits.
	AverageCost Decimal
	OnSale      bool
	OnPurchase  bool
	// StockAlert is the quantity under which stock is reported as low;
	// zero means no alert.
	StockAlert Decimal
	Version    int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

var hundred = DecimalFromInt(100)

// SetPrice sets the selling price typed in base at the product's VAT rate
// and derives the other one, half away from zero: a price excl. tax
// derived from one incl. tax to ScaleUnit, as Dolibarr's calcul_price_total
// does for unit prices (documents compute from it); a price incl. tax,
// shown to people and never computed from, to ScaleTotal like every other
// amount (decision 0037).
func (p *Product) SetPrice(amount Decimal, base PriceBase) {
	factor := hundred.Add(p.VATRate)
	p.PriceBase = base
	if base == PriceInclTax {
		p.PriceInclTax = amount
		p.Price = amount.Mul(hundred).Div(factor, ScaleUnit)
		return
	}
	p.Price = amount
	p.PriceInclTax = amount.Mul(factor).Div(hundred, ScaleTotal)
}

// Validate checks the product's invariants and reports every broken one.
func (p *Product) Validate() error {
	v := &ValidationError{}
	checkCode(v, "ref", p.Ref, MaxProductRefLen)
	checkText(v, "label", p.Label, MaxLabelLen, true)
	checkText(v, "description", p.Description, MaxDescriptionLen, false)
	if p.Type != ProductGoods && p.Type != ProductService {
		v.Add("type", "invalid", "must be product or service")
	}
	if p.PriceBase != PriceExclTax && p.PriceBase != PriceInclTax {
		v.Add("price_base", "invalid", "must be excl_tax or incl_tax")
	}
	checkRate(v, "vat_rate", p.VATRate)
	checkAmount(v, "price", p.Price, ScaleUnit)
	checkAmount(v, "price_incl_tax", p.PriceInclTax, ScaleUnit)
	checkAmount(v, "cost_price", p.CostPrice, ScaleUnit)
	checkAmount(v, "stock_alert", p.StockAlert, ScaleQty)
	return v.Err()
}

// checkText requires a trimmed, printable single-line or multi-line text of
// at most max characters.
func checkText(v *ValidationError, field, s string, max int, required bool) {
	switch {
	case required && strings.TrimSpace(s) == "":
		v.Add(field, "required", "is required")
	case !utf8.ValidString(s):
		v.Add(field, "invalid", "must be valid UTF-8")
	case utf8.RuneCountInString(s) > max:
		v.Add(field, "too_long", "must be at most %d characters", max)
	case strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' }) || strings.ContainsRune(s, 0):
		v.Add(field, "invalid", "must not contain control characters")
	}
}

// checkCode requires a non-empty reference with no spaces or control
// characters, as references appear in URLs, file names and PDFs.
func checkCode(v *ValidationError, field, s string, max int) {
	switch {
	case s == "":
		v.Add(field, "required", "is required")
	case !utf8.ValidString(s):
		v.Add(field, "invalid", "must be valid UTF-8")
	case utf8.RuneCountInString(s) > max:
		v.Add(field, "too_long", "must be at most %d characters", max)
	case strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) || r == '/' }):
		v.Add(field, "invalid", "must not contain spaces, slashes or control characters")
	}
}

// checkAmount requires 0 <= d with at most scale fraction digits.
func checkAmount(v *ValidationError, field string, d Decimal, scale int32) {
	switch {
	case d.IsNegative():
		v.Add(field, "negative", "must not be negative")
	case d.Scale() > scale:
		v.Add(field, "too_precise", "must have at most %d digits after the point", scale)
	}
}

// checkRate requires a percentage between 0 and 100 with at most
// ScaleRate fraction digits.
func checkRate(v *ValidationError, field string, d Decimal) {
	switch {
	case d.IsNegative() || d.GreaterThan(hundred):
		v.Add(field, "out_of_range", "must be between 0 and 100")
	case d.Scale() > ScaleRate:
		v.Add(field, "too_precise", "must have at most %d digits after the point", ScaleRate)
	}
}

// StaleVersion is returned when an edit was based on a version of a record
// that someone else has changed since: the client must reload and retry.
// It unwraps to ErrConflict.
type StaleVersion struct {
	What     string
	ID       int64
	Expected int64
}

func (e *StaleVersion) Error() string {
	return fmt.Sprintf("%s %d was changed by someone else since version %d; reload it and retry", e.What, e.ID, e.Expected)
}

// Unwrap makes StaleVersion match ErrConflict.
func (e *StaleVersion) Unwrap() error { return ErrConflict }

// ErrorCode returns the stable code.
func (e *StaleVersion) ErrorCode() string { return "version_conflict" }
