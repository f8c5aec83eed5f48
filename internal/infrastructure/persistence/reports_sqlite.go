package persistence

import (
	"database/sql/driver"
	"fmt"
	"sync"

	"modernc.org/sqlite"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// SQLite stores a NUMERIC(24,8) value as a REAL holding at most 15
// significant digits, which domain.Decimal.Scan recovers exactly; but its
// sum(), * and round() compute in binary floating point, so 0.10 + 0.20
// comes out as 0.30000000000000004 and a half cent may round the wrong
// way. The reports therefore do their arithmetic on SQLite with these
// functions, which convert each value to a domain.Decimal, compute exactly
// and return canonical decimal text:
//
//	dec_sum(x)       aggregate; NULLs are skipped and no value gives '0'
//	                 (like total(), so a bucket with nothing in it is 0)
//	dec_add(a, b)    a + b
//	dec_sub(a, b)    a - b
//	dec_mul(a, b)    a × b, exact
//	dec_round(x, n)  x rounded half away from zero to n decimals
//
// The scalar functions return NULL when an argument is NULL.
var registerSQLiteDecimals = sync.OnceValue(func() error {
	scalars := []struct {
		name string
		fn   func(a, b domain.Decimal, bInt int64) domain.Decimal
	}{
		{"dec_add", func(a, b domain.Decimal, _ int64) domain.Decimal { return a.Add(b) }},
		{"dec_sub", func(a, b domain.Decimal, _ int64) domain.Decimal { return a.Sub(b) }},
		{"dec_mul", func(a, b domain.Decimal, _ int64) domain.Decimal { return a.Mul(b) }},
		{"dec_round", func(a, _ domain.Decimal, n int64) domain.Decimal { return a.Round(int32(n)) }},
	}
	for _, s := range scalars {
		fn := s.fn
		err := sqlite.RegisterFunction(s.name, &sqlite.FunctionImpl{NArgs: 2, Deterministic: true,
			Scalar: func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
				if args[0] == nil || args[1] == nil {
					return nil, nil
				}
				a, err := sqliteDecimal(args[0])
				if err != nil {
					return nil, err
				}
				b, err := sqliteDecimal(args[1])
				if err != nil {
					return nil, err
				}
				n, _ := args[1].(int64)
				return fn(a, b, n).String(), nil
			}})
		if err != nil {
			return err
		}
	}
	return sqlite.RegisterFunction("dec_sum", &sqlite.FunctionImpl{NArgs: 1, Deterministic: true,
		MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) { return &decSum{}, nil }})
})

// decSum is the state of one dec_sum aggregation.
type decSum struct{ sum domain.Decimal }

func (s *decSum) Step(_ *sqlite.FunctionContext, args []driver.Value) error {
	if args[0] == nil {
		return nil
	}
	d, err := sqliteDecimal(args[0])
	if err != nil {
		return err
	}
	s.sum = s.sum.Add(d)
	return nil
}

func (s *decSum) WindowInverse(_ *sqlite.FunctionContext, args []driver.Value) error {
	if args[0] == nil {
		return nil
	}
	d, err := sqliteDecimal(args[0])
	if err != nil {
		return err
	}
	s.sum = s.sum.Sub(d)
	return nil
}

func (s *decSum) WindowValue(*sqlite.FunctionContext) (driver.Value, error) {
	return s.sum.String(), nil
}

func (s *decSum) Final(*sqlite.FunctionContext) {}

// sqliteDecimal reads a value SQLite hands a function: an INTEGER, a REAL
// of a NUMERIC column or decimal TEXT (another function's result).
func sqliteDecimal(v any) (domain.Decimal, error) {
	var d domain.Decimal
	if err := d.Scan(v); err != nil {
		return d, fmt.Errorf("decimal function: %w", err)
	}
	return d, nil
}
