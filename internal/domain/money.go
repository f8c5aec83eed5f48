package domain

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// Scales used across the domain, after Dolibarr's MAIN_MAX_DECIMALS_*
// defaults. A scale is the number of digits after the decimal point.
const (
	// ScaleTotal is the scale of document totals and payments (MT).
	ScaleTotal int32 = 2
	// ScaleUnit is the scale of unit prices and average costs (MU).
	ScaleUnit int32 = 5
	// ScaleQty is the scale of stock quantities (MS).
	ScaleQty int32 = 5
	// ScaleRate is the scale of VAT rates and percentages ("20.000").
	ScaleRate int32 = 3
	// ScaleStored is the scale of every decimal column (NUMERIC(24,8)):
	// the most digits after the point a Decimal may carry to be stored.
	ScaleStored int32 = 8
	// MaxIntegerDigits bounds the integer part so that any parsed value
	// fits NUMERIC(24,8) (16 integer digits) with room for one addition.
	MaxIntegerDigits = 15
)

// Decimal is an exact signed decimal number: money, prices, rates and
// quantities are never floats. The zero value is 0. Operations are exact
// except Div and Round, which take an explicit scale and round half away
// from zero, as Dolibarr's price2num (PHP round) does.
//
// In JSON a Decimal is a string ("115.43") so no client parses it as a
// binary float; String is canonical: no exponent, no trailing zeros.
type Decimal struct{ v decimal.Decimal }

// Zero is the decimal 0.
var Zero = Decimal{}

// ErrDecimalSyntax is returned by ParseDecimal for text that is not a
// plain decimal number.
var ErrDecimalSyntax = errors.New("not a decimal number")

// ErrDecimalRange is returned by ParseDecimal for numbers too large or with
// more fraction digits than can be stored.
var ErrDecimalRange = errors.New("decimal out of range")

// NewDecimal returns units × 10^exp, e.g. NewDecimal(11543, -2) is 115.43.
func NewDecimal(units int64, exp int32) Decimal { return Decimal{decimal.New(units, exp)} }

// DecimalFromInt returns the integer i as a Decimal.
func DecimalFromInt(i int64) Decimal { return Decimal{decimal.NewFromInt(i)} }

// ParseDecimal parses a decimal number in its one plain spelling, the
// grammar of a JSON number without exponent: -?(0|[1-9][0-9]*)(\.[0-9]+)?
// ("-12.50", "0.5"). A leading "+", leading zeros ("007"), exponents,
// spaces, thousand separators, "NaN" and friends are refused, so that one
// number has one accepted text and no client-side formatting quirk is
// silently read as another number. Values with more than
// MaxIntegerDigits integer digits or ScaleStored fraction digits are
// ErrDecimalRange.
func ParseDecimal(s string) (Decimal, error) {
	intPart, frac, hasPoint := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	if intPart == "" || !allDigits(intPart) || (len(intPart) > 1 && intPart[0] == '0') ||
		(hasPoint && (frac == "" || !allDigits(frac))) {
		return Zero, ErrDecimalSyntax
	}
	if len(intPart) > MaxIntegerDigits || len(frac) > int(ScaleStored) {
		return Zero, ErrDecimalRange
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return Zero, ErrDecimalSyntax
	}
	return Decimal{d}, nil
}

// MustDecimal parses s and panics if it is not a decimal; for constants and
// tests only.
func MustDecimal(s string) Decimal {
	d, err := ParseDecimal(s)
	if err != nil {
		panic(fmt.Sprintf("domain.MustDecimal(%q): %v", s, err))
	}
	return d
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Add returns d + o, exactly.
func (d Decimal) Add(o Decimal) Decimal { return Decimal{d.v.Add(o.v)} }

// Sub returns d − o, exactly.
func (d Decimal) Sub(o Decimal) Decimal { return Decimal{d.v.Sub(o.v)} }

// Mul returns d × o, exactly (the scales add up; Round afterwards).
func (d Decimal) Mul(o Decimal) Decimal { return Decimal{d.v.Mul(o.v)} }

// Div returns d ÷ o rounded half away from zero to scale digits. It panics
// when o is zero, like integer division: callers check divisors first.
func (d Decimal) Div(o Decimal, scale int32) Decimal {
	if o.v.IsZero() {
		panic("domain.Decimal: division by zero")
	}
	return Decimal{d.v.DivRound(o.v, scale)}
}

// Round rounds d half away from zero to scale digits after the point
// (2.345 -> 2.35, -2.345 -> -2.35). A value with no more digits than scale
// is returned as is: shopspring would rescale it with big.Int arithmetic
// only to pad zeros no output shows (String trims them, StringFixed and
// Text pad themselves), and reading a document rounds every amount.
func (d Decimal) Round(scale int32) Decimal {
	if d.v.Exponent() >= -scale {
		return d
	}
	return Decimal{d.v.Round(scale)}
}

// Neg returns −d.
func (d Decimal) Neg() Decimal { return Decimal{d.v.Neg()} }

// Abs returns |d|.
func (d Decimal) Abs() Decimal { return Decimal{d.v.Abs()} }

// Cmp returns -1, 0 or +1 as d is less than, equal to or greater than o.
func (d Decimal) Cmp(o Decimal) int { return d.v.Cmp(o.v) }

// Equal reports whether d and o are the same number (1.50 equals 1.5).
func (d Decimal) Equal(o Decimal) bool { return d.v.Equal(o.v) }

// LessThan reports d < o.
func (d Decimal) LessThan(o Decimal) bool { return d.v.LessThan(o.v) }

// GreaterThan reports d > o.
func (d Decimal) GreaterThan(o Decimal) bool { return d.v.GreaterThan(o.v) }

// Sign returns -1, 0 or +1.
func (d Decimal) Sign() int { return d.v.Sign() }

// IsZero reports d == 0.
func (d Decimal) IsZero() bool { return d.v.IsZero() }

// IsNegative reports d < 0.
func (d Decimal) IsNegative() bool { return d.v.Sign() < 0 }

// IsPositive reports d > 0.
func (d Decimal) IsPositive() bool { return d.v.Sign() > 0 }

// Scale returns the number of significant digits after the point
// (1.50 -> 1, 2 -> 0): what a field's maximum scale is checked against.
func (d Decimal) Scale() int32 {
	n := d.v.Normalize()
	if e := n.Exponent(); e < 0 {
		return -e
	}
	return 0
}

// IntegerDigits returns the number of digits before the point (0 for |d| < 1).
func (d Decimal) IntegerDigits() int {
	s := d.v.Abs().Truncate(0).String()
	if s == "0" {
		return 0
	}
	return len(s)
}

// String returns the canonical text: no exponent, no trailing zeros
// ("115.4", "-3", "0.00001").
func (d Decimal) String() string { return d.v.String() }

// StringFixed returns d rounded half away from zero to scale digits and
// padded with zeros to exactly that many ("115.40").
func (d Decimal) StringFixed(scale int32) string { return d.v.StringFixed(scale) }

// Text returns the canonical text padded with zeros to at least minScale
// digits after the point: Text(2) gives "12.50" for 12.5 and "0.12345" for
// 0.12345. Use it for amounts shown to people.
func (d Decimal) Text(minScale int32) string {
	if s := d.Scale(); s > minScale {
		return d.v.StringFixed(s)
	}
	return d.v.StringFixed(minScale)
}

// MarshalJSON encodes d as a JSON string in canonical form.
func (d Decimal) MarshalJSON() ([]byte, error) {
	return []byte(`"` + d.v.String() + `"`), nil
}

// UnmarshalJSON accepts only a JSON string holding a plain decimal: a JSON
// number would already have passed through a float in most clients.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	s, err := strconv.Unquote(string(b))
	if err != nil || len(b) == 0 || b[0] != '"' {
		return fmt.Errorf("decimal must be a JSON string such as \"12.50\": %w", ErrDecimalSyntax)
	}
	v, err := ParseDecimal(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Coefficient and Exponent give d as coefficient × 10^exponent, the form
// binary database encodings want (persistence's PostgreSQL numeric plan).
func (d Decimal) Coefficient() *big.Int { return d.v.Coefficient() }

// Exponent is the power of ten that scales Coefficient.
func (d Decimal) Exponent() int32 { return d.v.Exponent() }

// Value stores d as its canonical text, which every engine converts to its
// NUMERIC column exactly.
func (d Decimal) Value() (driver.Value, error) { return d.v.String(), nil }

// Scan reads a NUMERIC column. PostgreSQL and MySQL send text; SQLite may
// send an integer or, for NUMERIC affinity, a REAL holding at most 15
// significant digits, which the shortest round-trip formatting recovers
// exactly (see docs/decisions on money).
func (d *Decimal) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Zero
		return nil
	case int64:
		*d = DecimalFromInt(v)
		return nil
	case float64:
		p, err := decimal.NewFromString(strconv.FormatFloat(v, 'f', -1, 64))
		if err != nil {
			return err
		}
		*d = Decimal{p}
		return nil
	case []byte:
		return d.scanText(string(v))
	case string:
		return d.scanText(v)
	}
	return fmt.Errorf("domain.Decimal: cannot scan %T", src)
}

func (d *Decimal) scanText(s string) error {
	// NUMERIC(p,8) columns come back as "6.36000000": without the padding
	// the value parses on shopspring's int64 fast path and rounding it to
	// its field's scale is a no-op (Round).
	if strings.Contains(s, ".") && !strings.ContainsAny(s, "eE") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	p, err := decimal.NewFromString(s)
	if err != nil {
		return fmt.Errorf("domain.Decimal: scan %q: %w", s, err)
	}
	*d = Decimal{p}
	return nil
}
