package api_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/auth"
)

// BenchmarkAuthorize measures the RBAC middleware on its own: parse the
// Authorization header, verify the HS256 token (signature, alg, kid, iss,
// aud, exp/nbf/iat), decode the permission claim and check the route's
// permission, then call the next handler. Sub-benchmarks vary how many
// permissions the token carries: ns/op and allocs/op should not grow with it.
func BenchmarkAuthorize(b *testing.B) {
	// cold: every request runs the full verification (cache off), as the
	// first request of each token on each replica does. warm: the token was
	// verified before, as on every later request.
	for _, mode := range []struct {
		name  string
		cache int
	}{{"cold", -1}, {"warm", 0}} {
		tk, err := auth.NewTokens(auth.TokenConfig{
			Secret: "benchmark-secret-0123456789-abcdefghijkl", Issuer: "dolibarr-go", Audience: "dolibarr-go-api",
			TTL: time.Hour, Leeway: 30 * time.Second, CacheSize: mode.cache,
		})
		if err != nil {
			b.Fatal(err)
		}
		e := echo.New()
		h := api.Authorizer(auth.NewAuthenticator(tk, nil, nil, nil, nil))(domain.PermInvoicePay)(func(c echo.Context) error { return nil })
		for _, n := range []int{1, 8, len(domain.AllPermissions)} {
			// The route's permission is always held, among n.
			perms := domain.NewPermissionSet(domain.PermInvoicePay)
			for _, p := range domain.AllPermissions {
				if perms.Len() >= n {
					break
				}
				perms.Add(p)
			}
			raw, _, err := tk.Issue(7, "bench-user", perms, 0)
			if err != nil {
				b.Fatal(err)
			}
			b.Run(mode.name+"/perms="+strconv.Itoa(perms.Len()), func(b *testing.B) {
				run(b, e, h, raw, true)
			})
		}
		raw, _, _ := tk.Issue(7, "bench-user", domain.NewPermissionSet(domain.PermProductRead), 0)
		b.Run(mode.name+"/refused-403", func(b *testing.B) { run(b, e, h, raw, false) })
	}
}

func run(b *testing.B, e *echo.Echo, h echo.HandlerFunc, raw string, allowed bool) {
	req := httptest.NewRequest(http.MethodGet, "/api/v1/invoices", nil)
	req.Header.Set("Authorization", "Bearer "+raw)
	c := e.NewContext(req, httptest.NewRecorder())
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		c.SetRequest(req)
		if err := h(c); (err == nil) != allowed {
			b.Fatalf("allowed=%v, got %v", allowed, err)
		}
	}
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(len(raw)), "token-bytes")
}

// cpuTime is the process's user+system CPU time in ns. On a shared machine
// wall time per op swings with other processes' load; CPU time (which
// includes the garbage collector's share) is what a request really costs.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
