package api

import (
	"errors"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// decimalField parses an optional decimal request field into a value type,
// recording a field error instead of failing so that every problem of the
// request is reported at once.
func decimalField(v *domain.ValidationError, field string, s *string) *domain.Decimal {
	if s == nil {
		return nil
	}
	d, err := domain.ParseDecimal(*s)
	if err != nil {
		if errors.Is(err, domain.ErrDecimalRange) {
			v.Add(field, "out_of_range", "must have at most %d digits before and %d after the point", domain.MaxIntegerDigits, domain.ScaleStored)
		} else {
			v.Add(field, "invalid_decimal", "must be a decimal number written as a string, such as \"12.50\"")
		}
		return nil
	}
	return &d
}

// val is *p, or T's zero value ("", zero time, zero decimal) when the
// optional field is absent.
func val[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// optInt is id, or nil (JSON null) for the zero id meaning none.
func optInt(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// timestamp formats a time for responses: RFC 3339, UTC.
func timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
