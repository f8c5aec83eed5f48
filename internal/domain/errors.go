// Package domain holds Dolibarr-Go's entities, value types, state machines,
// errors and the ports the use cases depend on. It imports no framework.
package domain

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Base error kinds. Every error that leaves a use case unwraps to one of them;
// the HTTP layer maps kinds to status codes in one place.
var (
	ErrNotFound     = errors.New("not found")
	ErrConflict     = errors.New("conflict")
	ErrInvalid      = errors.New("invalid input")
	ErrUnauthorized = errors.New("unauthorized")
	ErrForbidden    = errors.New("forbidden")
	ErrPrecondition = errors.New("precondition failed")
	ErrUnavailable  = errors.New("unavailable")
)

// Error is a domain error with a stable machine-readable code and a message
// that is safe to show to API clients. It unwraps to its Kind.
type Error struct {
	Kind    error
	Code    string
	Message string
}

// E builds an *Error of the given kind.
func E(kind error, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

func (e *Error) Error() string { return e.Message }

// Unwrap returns the error kind so errors.Is(err, ErrConflict) works.
func (e *Error) Unwrap() error { return e.Kind }

// ErrorCode returns the stable code.
func (e *Error) ErrorCode() string { return e.Code }

// RetryLater is an ErrUnavailable error a client can cure by sending the
// same request again later: the database chose the transaction as a
// deadlock victim on each of its attempts, a lock stayed held too long, or
// SQLite's single writer stayed busy. Nothing was changed. The HTTP layer
// answers 503 with Retry-After; Cause, the driver's error, is for the log
// only.
type RetryLater struct {
	Code    string
	Message string
	After   time.Duration
	Cause   error
}

func (e *RetryLater) Error() string { return e.Message }

// Unwrap makes a RetryLater match ErrUnavailable and its cause.
func (e *RetryLater) Unwrap() []error {
	if e.Cause == nil {
		return []error{ErrUnavailable}
	}
	return []error{ErrUnavailable, e.Cause}
}

// ErrorCode returns the stable code.
func (e *RetryLater) ErrorCode() string { return e.Code }

// FieldError describes one invalid input field.
type FieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ValidationError collects every field problem of one input at once.
type ValidationError struct {
	Fields []FieldError
}

func (v *ValidationError) Error() string {
	parts := make([]string, 0, len(v.Fields))
	for _, f := range v.Fields {
		parts = append(parts, f.Field+": "+f.Message)
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Unwrap makes a ValidationError match ErrInvalid.
func (v *ValidationError) Unwrap() error { return ErrInvalid }

// ErrorCode returns the stable code.
func (v *ValidationError) ErrorCode() string { return "validation_failed" }

// Add records a field problem.
func (v *ValidationError) Add(field, code, format string, args ...any) {
	v.Fields = append(v.Fields, FieldError{Field: field, Code: code, Message: fmt.Sprintf(format, args...)})
}

// Err returns nil when no field problem was recorded, else v.
func (v *ValidationError) Err() error {
	if v == nil || len(v.Fields) == 0 {
		return nil
	}
	return v
}

// Merge joins the input problems recorded in v (a boundary's parse errors)
// with check, the invariant check of the entity built from that input, and
// returns the result as Err does. A field v already reports is not
// reported again by check (its zero value would only add noise), nor is a
// line's description when its product_id failed (the product supplies it).
// When check is not a *ValidationError it is returned if v is empty, else
// v wins.
func (v *ValidationError) Merge(check error) error {
	if check == nil {
		return v.Err()
	}
	var cv *ValidationError
	if !errors.As(check, &cv) {
		if v.Err() != nil {
			return v
		}
		return check
	}
	seen := make(map[string]bool, len(v.Fields))
	for _, f := range v.Fields {
		seen[f.Field] = true
	}
	for _, f := range cv.Fields {
		if !seen[f.Field] && !seen[strings.TrimSuffix(f.Field, ".description")+".product_id"] {
			v.Fields = append(v.Fields, f)
		}
	}
	return v.Err()
}
