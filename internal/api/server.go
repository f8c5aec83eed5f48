// Package api is the HTTP edge: the Echo server, middleware, handlers,
// request/response DTOs and the single error-to-problem mapping.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"go.uber.org/zap"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/idempotency"
)

// Options configure the HTTP server.
type Options struct {
	BodyLimit string // e.g. "2M"
	// RequestTimeout is the per-request context deadline, and the time the
	// whole request, headers and body, may take to arrive.
	RequestTimeout time.Duration
	// TrustedProxies are the proxies whose X-Forwarded-For is believed
	// (ClientIP); empty: the peer's address is the client's.
	TrustedProxies []netip.Prefix
	// Authorize returns the middleware that lets a request through only when
	// its verified token grants perm. Nil denies every guarded route.
	Authorize func(perm domain.Permission) echo.MiddlewareFunc
	// Idempotency runs guarded POSTs that carry an Idempotency-Key header
	// (decision 0027); nil ignores the header.
	Idempotency *idempotency.Service
	// CursorKey signs the next_cursor of incremental lists (CursorKey).
	CursorKey []byte
}

// Server is the API's Echo instance plus the route table that records which
// routes are public; every other route must declare a permission.
type Server struct {
	Echo  *echo.Echo
	API   *echo.Group
	Ready *Readiness
	log   *zap.Logger

	authorize func(perm domain.Permission) echo.MiddlewareFunc
	idem      echo.MiddlewareFunc

	mu     sync.Mutex
	public map[string]bool              // "METHOD path" registered as public
	perms  map[string]domain.Permission // "METHOD path" -> permission
}

// NewServer builds the server with its middleware chain, health endpoints and
// the OpenAPI document.
func NewServer(o Options, log *zap.Logger, ready *Readiness) *Server {
	s := newServer(log, ready, o.Authorize)
	s.idem = idempotent(o.Idempotency)
	e := s.Echo
	e.JSONSerializer = jsonSerializer{}
	e.IPExtractor = ClientIP(o.TrustedProxies)
	// A client that trickles its headers is cut off after 10 s (or the
	// request timeout if shorter); its body, trickled or stopping short of
	// its Content-Length, must arrive within the request timeout too, or the
	// read fails and decodeJSON answers 408 request_timeout. The write
	// deadline leaves that answer, and a slow handler's, time to go out.
	e.Server.ReadHeaderTimeout = 10 * time.Second
	if o.RequestTimeout > 0 {
		e.Server.ReadHeaderTimeout = min(e.Server.ReadHeaderTimeout, o.RequestTimeout)
		e.Server.ReadTimeout = o.RequestTimeout
	}
	e.Server.WriteTimeout = o.RequestTimeout + 15*time.Second
	e.Server.IdleTimeout = 120 * time.Second
	e.Use(middleware.BodyLimit(o.BodyLimit), strictQuery(), cursorKey(o.CursorKey))
	if o.RequestTimeout > 0 {
		e.Use(middleware.ContextTimeout(o.RequestTimeout))
	}
	s.API = e.Group("/api/v1")
	s.Public(http.MethodGet, "/api/v1/openapi.yaml", serveOpenAPI)
	s.Public(http.MethodGet, "/api/v1/openapi.json", serveOpenAPIJSON)
	s.Public(http.MethodGet, "/api/v1/docs", serveDocs)
	return s
}

// ClientIP returns the one extractor of the caller's address that throttling
// and logs share. Without trusted proxies it is the peer's address, whatever
// the headers say. Behind trusted proxies, each of which appends the address
// it received from to X-Forwarded-For, it is the right-most address that is
// not a trusted proxy: anything further left is what the client claimed.
// Loopback and private networks are not trusted unless listed: a client on
// the same network must not choose its own address.
func ClientIP(trusted []netip.Prefix) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range trusted {
		p = p.Masked()
		opts = append(opts, echo.TrustIPRange(&net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// newServer is what the API and probe servers share: Echo with the problem
// error handler, the request-id, access-log and recover middleware, and the
// public /health and /ready. A nil authorize denies every guarded route.
func newServer(log *zap.Logger, ready *Readiness, authorize func(domain.Permission) echo.MiddlewareFunc) *Server {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = errorHandler
	e.IPExtractor = echo.ExtractIPDirect() // never Echo's default, which believes any header
	e.Use(requestID(log), accessLog(), recoverer())
	if authorize == nil {
		authorize = denyAll
	}
	s := &Server{Echo: e, Ready: ready, log: log, authorize: authorize, public: map[string]bool{}, perms: map[string]domain.Permission{}}
	s.Public(http.MethodGet, "/health", s.health)
	s.Public(http.MethodGet, "/ready", s.ready)
	return s
}

// Public registers a route that needs no authentication. Keep this list
// short: a test fails on any route that is neither public nor guarded.
func (s *Server) Public(method, path string, h echo.HandlerFunc) {
	s.mu.Lock()
	s.public[method+" "+path] = true
	s.mu.Unlock()
	s.Echo.Add(method, path, h)
}

// Guarded registers a route that needs permission perm; the Authorize
// middleware checks it from the verified token's claims before h runs.
func (s *Server) Guarded(method, path string, perm domain.Permission, h echo.HandlerFunc) {
	if perm == "" {
		panic("api: guarded route " + method + " " + path + " without permission")
	}
	s.mu.Lock()
	s.perms[method+" "+path] = perm
	s.mu.Unlock()
	if method == http.MethodPost && s.idem != nil {
		s.Echo.Add(method, path, h, s.authorize(perm), s.idem)
		return
	}
	s.Echo.Add(method, path, h, s.authorize(perm))
}

// GuardedSecret is Guarded for a POST whose answer holds a secret (a new
// API key): its Idempotency-Key header is ignored, since a replay would
// need the secret stored in clear.
func (s *Server) GuardedSecret(method, path string, perm domain.Permission, h echo.HandlerFunc) {
	if perm == "" {
		panic("api: guarded route " + method + " " + path + " without permission")
	}
	s.mu.Lock()
	s.perms[method+" "+path] = perm
	s.mu.Unlock()
	s.Echo.Add(method, path, h, s.authorize(perm))
}

func denyAll(domain.Permission) echo.MiddlewareFunc {
	return func(echo.HandlerFunc) echo.HandlerFunc {
		return func(echo.Context) error {
			return &Error{Status: http.StatusUnauthorized, Code: "unauthorized", Detail: "authentication is not configured"}
		}
	}
}

// RouteInfo describes a registered route and how it is protected.
type RouteInfo struct {
	Method, Path string
	Permission   domain.Permission
	Public       bool
}

// Routes lists the registered routes, sorted, with their protection.
func (s *Server) Routes() []RouteInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []RouteInfo
	for _, r := range s.Echo.Routes() {
		if strings.HasPrefix(r.Method, "echo_route_") || r.Path == "" {
			continue
		}
		k := r.Method + " " + r.Path
		out = append(out, RouteInfo{Method: r.Method, Path: r.Path, Public: s.public[k], Permission: s.perms[k]})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Method < out[j].Method
	})
	return out
}

// Serve serves HTTP on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	s.Echo.Listener = ln
	err := s.Echo.Start("")
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown turns /ready to 503, then drains in-flight requests until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	s.Ready.SetDraining()
	return s.Echo.Shutdown(ctx)
}

// ServeHTTP lets tests drive the real router without a socket.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.Echo.ServeHTTP(w, r) }

func (s *Server) health(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) ready(c echo.Context) error {
	checks, err := s.Ready.Check(c.Request().Context())
	if err != nil {
		return &Error{Status: http.StatusServiceUnavailable, Code: "not_ready", Detail: err.Error(), Extra: map[string]any{"checks": checks}}
	}
	return c.JSON(http.StatusOK, map[string]any{"status": "ready", "checks": checks})
}

// jsonSerializer encodes without HTML escaping and decodes strictly: unknown
// fields are an error the client hears about, not silently dropped input.
type jsonSerializer struct{}

func (jsonSerializer) Serialize(c echo.Context, i any, indent string) error {
	enc := json.NewEncoder(c.Response())
	enc.SetEscapeHTML(false)
	if indent != "" {
		enc.SetIndent("", indent)
	}
	return enc.Encode(i)
}

func (jsonSerializer) Deserialize(c echo.Context, i any) error {
	return decodeJSON(c.Request().Body, i)
}

func jsonEncode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// NewProbeServer serves only /health and /ready: the runner's own port.
func NewProbeServer(log *zap.Logger, ready *Readiness) *Server {
	s := newServer(log, ready, nil)
	s.Echo.Server.ReadHeaderTimeout = 5 * time.Second
	return s
}
