package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

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

// etag is the entity tag of a record version.
func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// setETag sends the version as ETag so clients can edit with If-Match.
func setETag(c echo.Context, version int64) { c.Response().Header().Set("ETag", etag(version)) }

// expectedVersion returns the version an edit is based on: the If-Match
// header ("3" or W/"3") or else the body's version. One of them is required:
// an edit that names no version could silently overwrite someone else's.
func expectedVersion(c echo.Context, body *int64) (int64, bool, error) {
	if h := c.Request().Header.Get("If-Match"); h != "" {
		s := strings.TrimPrefix(strings.TrimSpace(h), "W/")
		n, ok := parseNatural(strings.TrimSuffix(strings.TrimPrefix(s, `"`), `"`))
		if !ok || n < 1 || len(s) < 3 || s[0] != '"' || s[len(s)-1] != '"' {
			return 0, false, BadRequest("invalid_if_match", `If-Match must be the ETag of the record, such as "3"`)
		}
		if body != nil && *body != n {
			return 0, false, BadRequest("version_mismatch", "If-Match and version disagree")
		}
		return n, true, nil
	}
	if body == nil || *body < 1 {
		v := &domain.ValidationError{}
		v.Add("version", "required", "is required (or send If-Match): the version of the record the edit is based on")
		return 0, false, v
	}
	return *body, false, nil
}

// editError turns a stale version into 412 when the client sent If-Match
// (RFC 9110 semantics); with a body version it stays a 409.
func editError(err error, fromHeader bool) error {
	var sv *domain.StaleVersion
	if fromHeader && errors.As(err, &sv) {
		return &Error{Status: http.StatusPreconditionFailed, Code: "precondition_failed", Detail: sv.Error()}
	}
	return err
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

// timestamp formats a time for responses: RFC 3339, UTC.
func timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// mergeFieldErrors reports parse's field errors plus check's, skipping the
// fields that already failed to parse (their zero values add only noise).
// It returns nil when neither found a problem.
func mergeFieldErrors(parse *domain.ValidationError, check error) error {
	var ve *domain.ValidationError
	if check != nil && !errors.As(check, &ve) {
		return check
	}
	out := &domain.ValidationError{Fields: append([]domain.FieldError(nil), parse.Fields...)}
	seen := map[string]bool{}
	for _, f := range parse.Fields {
		seen[f.Field] = true
	}
	if ve != nil {
		for _, f := range ve.Fields {
			if !seen[f.Field] {
				out.Fields = append(out.Fields, f)
			}
		}
	}
	return out.Err()
}
