// Package apptest runs HTTP tests against the real API server, built by
// internal/app exactly as the binaries build it, on a fresh database of each
// engine. Every response is validated against internal/api/openapi.yaml: a
// status, content type or body the document does not describe fails the test.
//
//	apptest.Each(t, func(t *testing.T, a *apptest.App) {
//		res := a.Do(t, "GET", "/api/v1/users/me", nil, a.Token(t, domain.PermProductRead))
//		require.Equal(t, 200, res.Status)
//	})
package apptest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/app"
	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/auth"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/logging"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/testdb"
)

// AdminLogin and AdminPassword are the first administrator every App starts
// with (created by the same first-start step as the binaries).
const (
	AdminLogin    = "admin"
	AdminPassword = "apptest-admin-password" //nolint:gosec // a test fixture, not a credential
)

// App is a running API server on a fresh database.
type App struct {
	Server *api.Server
	DB     *persistence.DB
	Config app.Config

	tokens *auth.Tokens
	clock  *Clock
	logs   *Buffer
	log    *zap.Logger
	users  *userMaker
}

// Option adjusts an App before its server is built.
type Option func(*options)

type options struct {
	cfg  func(*app.Config)
	test []app.TestOption
}

// WithTestOptions passes options to app.NewTestServer (fault injection).
func WithTestOptions(opts ...app.TestOption) Option {
	return func(o *options) { o.test = append(o.test, opts...) }
}

// WithConfig lets a test change the configuration (throttling limits, TTL,
// ...) before the server is wired.
func WithConfig(fn func(*app.Config)) Option {
	return func(o *options) { o.cfg = fn }
}

// Each runs fn as a subtest on a fresh App of every engine.
func Each(t *testing.T, fn func(t *testing.T, a *App), opts ...Option) {
	t.Helper()
	for _, d := range testdb.Drivers {
		t.Run(d, func(t *testing.T) { fn(t, New(t, d, opts...)) })
	}
}

// New builds the API server on a fresh, migrated database of driver.
func New(t testing.TB, driver string, opts ...Option) *App {
	t.Helper()
	return newOn(t, testdb.New(t, driver), driver, opts...)
}

// NewDSN is New on a database whose DSN it also returns, for tests that
// start the binaries on the same database (a runner killed with kill -9).
func NewDSN(t testing.TB, driver string, opts ...Option) (*App, string) {
	t.Helper()
	dsn := testdb.DSN(t, driver)
	db, err := persistence.Open(persistence.Options{Driver: driver, DSN: dsn, MaxOpenConns: 10, MaxIdleConns: 10})
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	require.NoError(t, db.MigrateUp())
	return newOn(t, db, driver, opts...), dsn
}

func newOn(t testing.TB, db *persistence.DB, driver string, opts ...Option) *App {
	t.Helper()
	var o options
	for _, fn := range opts {
		fn(&o)
	}
	cfg := Config(t, driver)
	if o.cfg != nil {
		o.cfg(&cfg)
	}
	logs := &Buffer{}
	log, err := logging.New("debug", "json", logs)
	require.NoError(t, err)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log (last 8 KiB):\n%s", tail(logs.String(), 8<<10))
		}
	})
	return build(t, db, cfg, &Clock{}, logs, log, o.test...)
}

func build(t testing.TB, db *persistence.DB, cfg app.Config, clock *Clock, logs *Buffer, log *zap.Logger, extra ...app.TestOption) *App {
	t.Helper()
	// Background work the server starts (the revocation poll) ends with
	// the test.
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	srv, err := app.NewTestServer(ctx, cfg, db, log, append([]app.TestOption{app.WithClock(clock.Now)}, extra...)...)
	require.NoError(t, err, "wiring the API server")
	tokens, err := auth.NewTokens(auth.TokenConfig{
		Secret: cfg.Auth.JWTSecret, Issuer: cfg.Auth.JWTIssuer, Audience: cfg.Auth.JWTAudience,
		TTL: cfg.Auth.JWTTTL, Now: clock.Now,
	})
	require.NoError(t, err)
	a := &App{Server: srv, DB: db, Config: cfg, tokens: tokens, clock: clock, logs: logs, log: log}
	a.users = newUserMaker(a)
	return a
}

// Restart builds a second server on the same database, clock and log with
// configuration cfg, as a new release or a restarted replica would start
// (secret rotation, bootstrap on an existing database).
func (a *App) Restart(t testing.TB, cfg app.Config) *App {
	t.Helper()
	return build(t, a.DB, cfg, a.clock, a.logs, a.log)
}

// Config returns the configuration apptest builds servers with: the
// defaults of the API binary plus a random JWT secret and a known admin.
func Config(t testing.TB, driver string) app.Config {
	t.Helper()
	var b [32]byte
	_, _ = rand.Read(b[:])
	cfg, err := app.LoadConfig(app.APIOnly, []string{
		"DOLIBARR_DB_DRIVER=" + driver,
		"DOLIBARR_DB_DSN=" + dummyDSN(driver),
		"DOLIBARR_JWT_SECRET=" + base64.RawURLEncoding.EncodeToString(b[:]),
		"DOLIBARR_ADMIN_LOGIN=" + AdminLogin,
		"DOLIBARR_ADMIN_PASSWORD=" + AdminPassword,
	})
	require.NoError(t, err)
	return cfg
}

// dummyDSN passes config validation; the server uses the testdb handle.
func dummyDSN(driver string) string {
	switch driver {
	case "postgres":
		return "postgres://apptest@127.0.0.1/apptest"
	case "mysql":
		return "apptest@tcp(127.0.0.1:3306)/apptest"
	}
	return "file::memory:"
}

// Clock is the server's clock: real time plus an offset tests move.
type Clock struct{ offset atomic.Int64 }

// Now returns the current time of the test clock.
func (c *Clock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

// Advance moves the clock forward by d (token expiry, throttle windows).
func (a *App) Advance(d time.Duration) { a.clock.offset.Add(int64(d)) }

// Now is the server's current time.
func (a *App) Now() time.Time { return a.clock.Now() }

// Logs returns everything the server logged so far, as JSON lines.
func (a *App) Logs() string { return a.logs.String() }

// Token returns a valid access token for a new throwaway user whose only
// role grants exactly perms (none at all when perms is empty).
func (a *App) Token(t testing.TB, perms ...domain.Permission) string {
	t.Helper()
	u := a.users.make(t, perms)
	tok, _, err := a.tokens.Issue(u.ID, u.Login, domain.NewPermissionSet(perms...), 0)
	require.NoError(t, err)
	return tok
}

// AdminToken returns a valid access token of the first administrator, who
// holds every permission.
func (a *App) AdminToken(t testing.TB) string {
	t.Helper()
	id := a.users.admin(t)
	tok, _, err := a.tokens.Issue(id, AdminLogin, domain.NewPermissionSet(domain.AllPermissions...), 0)
	require.NoError(t, err)
	return tok
}

// Response is a recorded HTTP response.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test if it is not JSON.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	require.NoErrorf(t, json.Unmarshal(r.Body, v), "decoding %d response: %s", r.Status, r.Body)
}

// Problem decodes an error response.
func (r *Response) Problem(t testing.TB) api.Problem {
	t.Helper()
	require.Equal(t, api.ProblemContentType, r.Header.Get("Content-Type"), "body: %s", r.Body)
	var p api.Problem
	r.JSON(t, &p)
	return p
}

// Do sends a request through the real router and validates the response
// against the OpenAPI document. body is sent as is when it is a []byte, a
// string or an io.Reader (chunked, with no Content-Length, unless it is a
// *bytes.Reader, *strings.Reader or *bytes.Buffer), as JSON otherwise, and
// not at all when nil. token, when not empty,
// goes in "Authorization: Bearer".
func (a *App) Do(t testing.TB, method, path string, body any, token string) *Response {
	t.Helper()
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	return a.DoHeader(t, method, path, body, h)
}

// DoHeader is Do with request headers of the caller's choosing.
func (a *App) DoHeader(t testing.TB, method, path string, body any, h http.Header) *Response {
	t.Helper()
	_, _ = Spec(t)
	req, res, err := a.serve(method, path, body, h)
	require.NoError(t, err)
	validate(t, req, res)
	return res
}

// SendHeader is Send with request headers of the caller's choosing.
func (a *App) SendHeader(method, path string, body any, h http.Header) (*Response, error) {
	req, res, err := a.serve(method, path, body, h)
	if err != nil {
		return nil, err
	}
	return res, check(req, res)
}

// Send is Do for concurrent clients: it never touches a testing.TB (which
// only the test's own goroutine may stop), and returns as an error what Do
// would fail the test for, a response openapi.yaml does not describe
// included. Call Spec (or Do) once on the test's goroutine first.
func (a *App) Send(method, path string, body any, token string) (*Response, error) {
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	req, res, err := a.serve(method, path, body, h)
	if err != nil {
		return nil, err
	}
	return res, check(req, res)
}

// serve sends one request through the real router and records the answer.
func (a *App) serve(method, path string, body any, h http.Header) (*http.Request, *Response, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	case io.Reader: // streamed; without a known length it is sent chunked
		rd = b
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return nil, nil, err
		}
		rd = bytes.NewReader(j)
	}
	req := httptest.NewRequestWithContext(context.Background(), method, path, rd)
	for k, vs := range h {
		req.Header[k] = vs
	}
	if rd != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	a.Server.ServeHTTP(rec, req)
	return req, &Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}, nil
}

// Buffer is a goroutine-safe log sink.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// Sync satisfies zapcore.WriteSyncer.
func (b *Buffer) Sync() error { return nil }

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

func describe(req *http.Request, res *Response) string {
	return fmt.Sprintf("%s %s -> %d %s: %s", req.Method, req.URL.RequestURI(), res.Status, res.Header.Get("Content-Type"), tail(string(res.Body), 600))
}
