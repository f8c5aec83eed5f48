package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/domain"
)

func newServer(t *testing.T, checks ...api.Check) (*api.Server, *observer.ObservedLogs) {
	t.Helper()
	core, logs := observer.New(zap.DebugLevel)
	s := api.NewServer(api.Options{BodyLimit: "1K", RequestTimeout: 2 * time.Second}, zap.New(core), api.NewReadiness(checks...))
	return s, logs
}

func do(s *api.Server, method, path, body string, hdr ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

func problem(t *testing.T, rec *httptest.ResponseRecorder) api.Problem {
	t.Helper()
	require.Equal(t, api.ProblemContentType, rec.Header().Get("Content-Type"), rec.Body.String())
	var p api.Problem
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
	require.Equal(t, rec.Code, p.Status)
	require.NotEmpty(t, p.Code)
	require.Equal(t, "urn:dolibarr-go:problem:"+p.Code, p.Type)
	require.Equal(t, http.StatusText(p.Status), p.Title)
	require.Equal(t, rec.Header().Get(api.HeaderRequestID), p.RequestID)
	return p
}

func TestRouterErrorsAreProblems(t *testing.T) {
	s, _ := newServer(t)
	rec := do(s, http.MethodGet, "/api/v1/nothing-here", "")
	require.Equal(t, http.StatusNotFound, rec.Code)
	require.Equal(t, "route_not_found", problem(t, rec).Code)

	rec = do(s, http.MethodDelete, "/health", "")
	require.Equal(t, http.StatusMethodNotAllowed, rec.Code)
	require.Equal(t, "method_not_allowed", problem(t, rec).Code)
	require.Contains(t, rec.Header().Get("Allow"), "GET")
}

func TestRequestIDIsEchoedOrGeneratedAndLogged(t *testing.T) {
	s, logs := newServer(t)
	rec := do(s, http.MethodGet, "/api/v1/openapi.yaml", "", api.HeaderRequestID, "client-id-42")
	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, "client-id-42", rec.Header().Get(api.HeaderRequestID))
	entries := logs.FilterMessage("http request").All()
	require.Len(t, entries, 1)
	require.Equal(t, "client-id-42", entries[0].ContextMap()["request_id"])
	require.EqualValues(t, 200, entries[0].ContextMap()["status"])

	// An unsafe client id (control characters, too long) is replaced.
	rec = do(s, http.MethodGet, "/health", "", api.HeaderRequestID, strings.Repeat("x", 300))
	id := rec.Header().Get(api.HeaderRequestID)
	require.Len(t, id, 36)
}

func TestPanicBecomesA500ProblemAndIsLogged(t *testing.T) {
	s, logs := newServer(t)
	s.Public(http.MethodGet, "/boom", func(echo.Context) error { panic("kaboom") })
	rec := do(s, http.MethodGet, "/boom", "")
	require.Equal(t, http.StatusInternalServerError, rec.Code)
	p := problem(t, rec)
	require.Equal(t, "internal", p.Code)
	require.NotContains(t, rec.Body.String(), "kaboom", "internal details stay in the log")
	require.Equal(t, 1, logs.FilterMessage("panic in handler").Len())
}

func TestDomainErrorsMapToStatusAndStableCode(t *testing.T) {
	s, logs := newServer(t)
	cases := []struct {
		err    error
		status int
		code   string
	}{
		{domain.E(domain.ErrNotFound, "product_not_found", "product 7 not found"), 404, "product_not_found"},
		{domain.E(domain.ErrConflict, "already_validated", "invoice is validated"), 409, "already_validated"},
		{domain.E(domain.ErrPrecondition, "version_mismatch", "stale version"), 412, "version_mismatch"},
		{domain.ErrForbidden, 403, "forbidden"},
		{errors.New("driver exploded: password=hunter2"), 500, "internal"},
	}
	for i, tc := range cases {
		path := "/e" + string(rune('a'+i))
		s.Public(http.MethodGet, path, func(echo.Context) error { return tc.err })
		rec := do(s, http.MethodGet, path, "")
		require.Equal(t, tc.status, rec.Code, tc.err.Error())
		require.Equal(t, tc.code, problem(t, rec).Code)
	}
	require.NotContains(t, do(s, http.MethodGet, "/ee", "").Body.String(), "hunter2")
	require.GreaterOrEqual(t, logs.FilterMessage("request failed").Len(), 1)
}

// TestRetryLaterIs503WithRetryAfter: a transaction the database kept
// aborting (or a busy SQLite writer) is a 503 with its stable code and
// Retry-After in whole seconds, never a 500; the driver's error is logged,
// not shown.
func TestRetryLaterIs503WithRetryAfter(t *testing.T) {
	s, logs := newServer(t)
	cause := errors.New("Error 1213 (40001): Deadlock found when trying to get lock")
	for path, err := range map[string]*domain.RetryLater{
		"/conflict": {Code: "transaction_conflict", Message: "the request conflicted; retry it", After: time.Second, Cause: cause},
		"/busy":     {Code: "database_busy", Message: "the database is busy", After: 1500 * time.Millisecond},
		"/soon":     {Code: "transaction_conflict", Message: "retry it", After: time.Millisecond},
	} {
		s.Public(http.MethodPost, path, func(echo.Context) error { return fmt.Errorf("validating: %w", err) })
	}
	for path, want := range map[string][2]string{"/conflict": {"transaction_conflict", "1"}, "/busy": {"database_busy", "2"}, "/soon": {"transaction_conflict", "1"}} {
		rec := do(s, http.MethodPost, path, "")
		require.Equal(t, http.StatusServiceUnavailable, rec.Code, path)
		require.Equal(t, want[0], problem(t, rec).Code, path)
		require.Equal(t, want[1], rec.Header().Get("Retry-After"), path)
		require.NotContains(t, rec.Body.String(), "Deadlock", path)
	}
	entries := logs.FilterMessage("request not served").FilterField(zap.String("code", "transaction_conflict")).All()
	require.Len(t, entries, 2)
	var logged bool
	for _, e := range entries {
		logged = logged || strings.Contains(fmt.Sprint(e.ContextMap()["cause"]), "Deadlock")
	}
	require.True(t, logged, "the cause is in the log")
	require.Zero(t, logs.FilterMessage("request failed").Len(), "not an internal error")
}

type payload struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

func TestBodyDecodingErrorsAre4xx(t *testing.T) {
	s, _ := newServer(t)
	s.Public(http.MethodPost, "/echo", func(c echo.Context) error {
		var p payload
		if err := api.Bind(c, &p); err != nil {
			return err
		}
		v := &domain.ValidationError{}
		if p.Name == "" {
			v.Add("name", "required", "name is required")
		}
		if p.Count < 0 {
			v.Add("count", "min", "count must not be negative")
		}
		if err := v.Err(); err != nil {
			return err
		}
		return c.JSON(http.StatusOK, p)
	})
	for body, want := range map[string]struct {
		status int
		code   string
	}{
		"":                          {400, "empty_body"},
		"{":                         {400, "malformed_json"},
		"[1,2]":                     {400, "malformed_json"},
		`{"name":"a","count":"x"}`:  {400, "wrong_type"},
		`{"name":"a","extra":1}`:    {400, "unknown_field"},
		`{"name":"a"} {"name":"b"}`: {400, "malformed_json"},
		`{"count":-1}`:              {422, "validation_failed"},
		`{"name":"` + strings.Repeat("x", 2000) + `"}`: {413, "body_too_large"},
	} {
		rec := do(s, http.MethodPost, "/echo", body)
		require.Equal(t, want.status, rec.Code, "body %.40q: %s", body, rec.Body.String())
		p := problem(t, rec)
		require.Equal(t, want.code, p.Code, "body %.40q", body)
		if want.code == "validation_failed" {
			require.Len(t, p.Errors, 2, "every field problem at once")
		}
	}
	rec := do(s, http.MethodPost, "/echo", `{"name":"ok","count":2}`)
	require.Equal(t, http.StatusOK, rec.Code)

	req := httptest.NewRequest(http.MethodPost, "/echo", bytes.NewBufferString("name=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rr := httptest.NewRecorder()
	s.ServeHTTP(rr, req)
	require.Equal(t, http.StatusUnsupportedMediaType, rr.Code)

	// The media type, not a prefix of the header, decides.
	for ct, status := range map[string]int{
		"application/json; charset=utf-8": http.StatusOK,
		"Application/JSON":                http.StatusOK,
		"application/jsonp":               http.StatusUnsupportedMediaType,
		"application/json-seq":            http.StatusUnsupportedMediaType,
	} {
		rec := do(s, http.MethodPost, "/echo", `{"name":"ok"}`, "Content-Type", ct)
		require.Equal(t, status, rec.Code, "Content-Type %q: %s", ct, rec.Body.String())
		if status != http.StatusOK {
			require.Equal(t, "unsupported_media_type", problem(t, rec).Code)
		}
	}
}

func TestRequestTimeoutGives503(t *testing.T) {
	s, _ := newServer(t)
	s.Public(http.MethodGet, "/slow", func(c echo.Context) error {
		<-c.Request().Context().Done() // waits for the per-request deadline
		return c.Request().Context().Err()
	})
	rec := do(s, http.MethodGet, "/slow", "")
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	require.Equal(t, "timeout", problem(t, rec).Code)
}

func TestReadinessReportsTheFailingCheckAndDraining(t *testing.T) {
	var dbDown bool
	s, _ := newServer(t, api.Check{Name: "database", Fn: func(context.Context) error {
		if dbDown {
			return errors.New("connection refused")
		}
		return nil
	}})
	rec := do(s, http.MethodGet, "/ready", "")
	require.Equal(t, http.StatusOK, rec.Code)
	dbDown = true
	rec = do(s, http.MethodGet, "/ready", "")
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	require.Contains(t, problem(t, rec).Detail, "database: connection refused")
	dbDown = false
	s.Ready.SetDraining()
	rec = do(s, http.MethodGet, "/ready", "")
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	require.Contains(t, problem(t, rec).Detail, "shutting down")
	require.Equal(t, http.StatusOK, do(s, http.MethodGet, "/health", "").Code, "liveness stays up while draining")
}

func TestGuardedRoutesDenyWithoutAnAuthorizer(t *testing.T) {
	s, _ := newServer(t)
	s.Guarded(http.MethodGet, "/api/v1/secret", domain.PermUserAdmin, func(c echo.Context) error { return c.String(200, "secret") })
	rec := do(s, http.MethodGet, "/api/v1/secret", "")
	require.Equal(t, http.StatusUnauthorized, rec.Code)
	require.Equal(t, "unauthorized", problem(t, rec).Code)
	var found bool
	for _, r := range s.Routes() {
		if r.Path == "/api/v1/secret" {
			found = true
			require.Equal(t, domain.PermUserAdmin, r.Permission)
			require.False(t, r.Public)
		}
	}
	require.True(t, found)
}
