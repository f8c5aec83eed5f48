package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"go.uber.org/zap"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/logging"
)

// Problem is an RFC 9457 problem document with our stable extensions.
type Problem struct {
	Type      string              `json:"type"`
	Title     string              `json:"title"`
	Status    int                 `json:"status"`
	Detail    string              `json:"detail,omitempty"`
	Code      string              `json:"code"`
	Errors    []domain.FieldError `json:"errors,omitempty"`
	RequestID string              `json:"request_id,omitempty"`
	// Extra carries error-specific members (e.g. readiness checks).
	Extra map[string]any `json:"extra,omitempty"`
}

// ProblemContentType is the media type of error responses.
const ProblemContentType = "application/problem+json"

// Error is an HTTP-level error raised by the API layer itself (malformed
// body, bad query parameter, ...), as opposed to a domain error.
type Error struct {
	Status int
	Code   string
	Detail string
	Fields []domain.FieldError
	Extra  map[string]any
}

func (e *Error) Error() string { return e.Detail }

// BadRequest builds a 400 error with a stable code.
func BadRequest(code, detail string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: code, Detail: detail}
}

type coded interface{ ErrorCode() string }

type detailed interface{ Details() map[string]any }

// toProblem is the single place where an error becomes an HTTP answer.
func toProblem(err error) (p Problem, internal bool) {
	var (
		ae *Error
		he *echo.HTTPError
		ve *domain.ValidationError
	)
	switch {
	case errors.As(err, &ae):
		p = Problem{Status: ae.Status, Code: ae.Code, Detail: ae.Detail, Errors: ae.Fields, Extra: ae.Extra}
	case errors.As(err, &ve):
		p = Problem{Status: http.StatusUnprocessableEntity, Code: ve.ErrorCode(), Detail: "the request has invalid fields", Errors: ve.Fields}
	case errors.Is(err, context.DeadlineExceeded): // also when Echo's timeout middleware wraps it
		p = Problem{Status: http.StatusServiceUnavailable, Code: "timeout", Detail: "the request took too long"}
	case errors.As(err, &he):
		p = Problem{Status: he.Code, Code: echoCode(he.Code)}
		if m, ok := he.Message.(string); ok {
			p.Detail = m
		}
	default:
		status, code := statusOf(err)
		if status == http.StatusInternalServerError {
			return Problem{Status: status, Code: "internal", Detail: "an internal error occurred; quote the request id when reporting it"}, true
		}
		p = Problem{Status: status, Code: code, Detail: err.Error()}
		var c coded
		if errors.As(err, &c) {
			p.Code = c.ErrorCode()
		}
		// A typed domain error (e.g. InsufficientStock) may carry the fields a
		// client needs to react; they become the problem's extension members.
		var d detailed
		if errors.As(err, &d) {
			p.Extra = d.Details()
		}
	}
	return p, false
}

func statusOf(err error) (int, string) {
	switch {
	case errors.Is(err, domain.ErrNotFound):
		return http.StatusNotFound, "not_found"
	case errors.Is(err, domain.ErrConflict):
		return http.StatusConflict, "conflict"
	case errors.Is(err, domain.ErrInvalid):
		return http.StatusUnprocessableEntity, "invalid"
	case errors.Is(err, domain.ErrUnauthorized):
		return http.StatusUnauthorized, "unauthorized"
	case errors.Is(err, domain.ErrForbidden):
		return http.StatusForbidden, "forbidden"
	case errors.Is(err, domain.ErrPrecondition):
		return http.StatusPreconditionFailed, "precondition_failed"
	case errors.Is(err, domain.ErrUnavailable):
		return http.StatusServiceUnavailable, "unavailable"
	}
	return http.StatusInternalServerError, "internal"
}

func echoCode(status int) string {
	switch status {
	case http.StatusNotFound:
		return "route_not_found"
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	case http.StatusRequestEntityTooLarge:
		return "body_too_large"
	case http.StatusUnauthorized:
		return "unauthorized"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusServiceUnavailable:
		return "unavailable"
	case http.StatusTooManyRequests:
		return "too_many_requests"
	case http.StatusUnsupportedMediaType:
		return "unsupported_media_type"
	}
	return "bad_request"
}

// errorHandler is Echo's HTTPErrorHandler: every error response leaves here.
func errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	ctx := c.Request().Context()
	p, internal := toProblem(err)
	log := logging.From(ctx)
	var later *domain.RetryLater
	retry := errors.As(err, &later)
	if internal {
		log.Error("request failed", zap.Error(err))
	} else if p.Status >= 500 {
		fields := []zap.Field{zap.Int("status", p.Status), zap.String("code", p.Code), zap.Error(err)}
		if retry && later.Cause != nil {
			fields = append(fields, zap.NamedError("cause", later.Cause))
		}
		log.Warn("request not served", fields...)
	}
	p.Title = http.StatusText(p.Status)
	p.Type = "urn:dolibarr-go:problem:" + p.Code
	p.RequestID = logging.RequestID(ctx)
	c.Response().Header().Set(echo.HeaderContentType, ProblemContentType)
	if retry {
		// Whole seconds, at least one (RFC 9110 §10.2.3).
		secs := max(1, int64((later.After+time.Second-1)/time.Second))
		c.Response().Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	}
	if c.Request().Method == http.MethodHead {
		c.Response().WriteHeader(p.Status)
		return
	}
	c.Response().WriteHeader(p.Status)
	if err := jsonEncode(c.Response(), p); err != nil {
		log.Debug("writing problem failed", zap.Error(err))
	}
}
