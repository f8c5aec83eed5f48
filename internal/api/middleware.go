package api

import (
	"fmt"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/dolibarr-go/dolibarr/internal/domain"

	"github.com/dolibarr-go/dolibarr/internal/infrastructure/logging"
)

// HeaderRequestID is read from clients and echoed back.
const HeaderRequestID = "X-Request-ID"

// requestID accepts a sane X-Request-ID or makes one, echoes it back, and
// puts it, with a logger that carries it, into the request context.
func requestID(base *zap.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			id := c.Request().Header.Get(HeaderRequestID)
			if !validRequestID(id) {
				id = uuid.NewString()
			}
			c.Response().Header().Set(HeaderRequestID, id)
			ctx := logging.WithRequestID(c.Request().Context(), id)
			ctx = logging.With(ctx, base.With(zap.String("request_id", id)))
			c.SetRequest(c.Request().WithContext(ctx))
			return next(c)
		}
	}
}

// validRequestID keeps client ids short and printable so they are safe in logs.
func validRequestID(s string) bool {
	if s == "" || len(s) > domain.MaxRequestIDLen {
		return false
	}
	for _, r := range s {
		if r < 0x21 || r > 0x7e {
			return false
		}
	}
	return true
}

// recoverer turns a panic into a 500 problem and a logged stack.
func recoverer() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) (err error) {
			defer func() {
				if r := recover(); r != nil {
					if r == http.ErrAbortHandler { //nolint:errorlint // sentinel compared as the stdlib does
						panic(r)
					}
					logging.From(c.Request().Context()).Error("panic in handler",
						zap.Any("panic", r), zap.ByteString("stack", debug.Stack()))
					err = fmt.Errorf("panic: %v", r)
				}
			}()
			return next(c)
		}
	}
}

// accessLog writes one line per request; probes log at debug level only.
func accessLog() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err) // write the problem now so the status below is final
			}
			req, res := c.Request(), c.Response()
			lvl := zapcore.InfoLevel
			if p := c.Path(); p == "/health" || p == "/ready" {
				lvl = zapcore.DebugLevel
			}
			if ce := logging.From(req.Context()).Check(lvl, "http request"); ce != nil {
				ce.Write(
					zap.String("method", req.Method),
					zap.String("path", req.URL.Path),
					zap.String("route", c.Path()),
					zap.Int("status", res.Status),
					zap.Int64("bytes", res.Size),
					zap.Duration("latency", time.Since(start)),
					zap.String("remote", c.RealIP()),
				)
			}
			return nil
		}
	}
}

// strictQuery refuses with 400 invalid_query a query string that does not
// parse (a bad %-escape, a ";" separator: Echo would silently drop the
// pair) or any of whose names or values, decoded, holds a NUL or invalid
// UTF-8, which PostgreSQL refuses and MariaDB cannot compare (issue 21).
// Every query parameter of every route passes here once, before any
// handler reads it, so no filter needs its own check.
func strictQuery() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if raw := c.Request().URL.RawQuery; raw != "" {
				if err := checkQuery(raw); err != nil {
					return err
				}
			}
			return next(c)
		}
	}
}

// checkQuery checks the pairs of a raw query string in order, so the error
// names the first bad one.
func checkQuery(raw string) error {
	for pair := range strings.SplitSeq(raw, "&") {
		if pair == "" {
			continue
		}
		if strings.Contains(pair, ";") {
			return BadRequest("invalid_query", "the query string must separate parameters with &, not ;")
		}
		k, v, _ := strings.Cut(pair, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			return BadRequest("invalid_query", "the query string has a malformed %-escape")
		}
		value, err := url.QueryUnescape(v)
		if err != nil {
			return BadRequest("invalid_query", fmt.Sprintf("query parameter %q has a malformed %%-escape", safeName(name)))
		}
		if !textOK(name) {
			return BadRequest("invalid_query", "query parameter names must be valid UTF-8 text without NUL")
		}
		if !textOK(value) {
			return BadRequest("invalid_query", fmt.Sprintf("query parameter %q must be valid UTF-8 text without NUL", name))
		}
	}
	return nil
}

// textOK reports whether s can be stored in and compared with a text
// column of every engine: valid UTF-8 without NUL.
func textOK(s string) bool { return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 }

// safeName is name when it is fit to echo back, else a placeholder.
func safeName(name string) string {
	if textOK(name) {
		return name
	}
	return "?"
}
