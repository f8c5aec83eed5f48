package api_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
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
	tk, err := auth.NewTokens(auth.TokenConfig{
		Secret: "benchmark-secret-0123456789-abcdefghijkl", Issuer: "dolibarr-go", Audience: "dolibarr-go-api",
		TTL: time.Hour, Leeway: 30 * time.Second,
	})
	if err != nil {
		b.Fatal(err)
	}
	e := echo.New()
	mw := api.Authorizer(tk)(domain.PermInvoicePay)
	h := mw(func(c echo.Context) error { return nil })
	for _, n := range []int{1, 8, len(domain.AllPermissions)} {
		// The route's permission is always held, among n.
		perms := domain.NewPermissionSet(domain.PermInvoicePay)
		for _, p := range domain.AllPermissions {
			if perms.Len() >= n {
				break
			}
			perms.Add(p)
		}
		raw, _, err := tk.Issue(7, "bench-user", perms)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("perms="+strconv.Itoa(perms.Len()), func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, "/api/v1/invoices", nil)
			req.Header.Set("Authorization", "Bearer "+raw)
			c := e.NewContext(req, httptest.NewRecorder())
			b.ReportAllocs()
			for b.Loop() {
				c.SetRequest(req)
				if err := h(c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("refused-403", func(b *testing.B) {
		raw, _, _ := tk.Issue(7, "bench-user", domain.NewPermissionSet(domain.PermProductRead))
		req := httptest.NewRequest(http.MethodGet, "/api/v1/invoices", nil)
		req.Header.Set("Authorization", "Bearer "+raw)
		c := e.NewContext(req, httptest.NewRecorder())
		b.ReportAllocs()
		for b.Loop() {
			c.SetRequest(req)
			if err := h(c); err == nil {
				b.Fatal("expected 403")
			}
		}
	})
}
